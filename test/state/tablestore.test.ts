import { describeStoreContract } from './contract';
import { tablestoreHarness } from './adapters';

describeStoreContract(tablestoreHarness);
