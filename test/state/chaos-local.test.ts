import { describeChaos } from './chaos';
import { localHarness } from './adapters';

describeChaos(localHarness);
