import { describeChaos } from './chaos';
import { dynamodbHarness } from './adapters';

describeChaos(dynamodbHarness);
