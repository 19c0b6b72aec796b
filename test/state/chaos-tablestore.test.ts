import { describeChaos } from './chaos';
import { tablestoreHarness } from './adapters';

describeChaos(tablestoreHarness);
