import { describeStoreContract } from './contract';
import { localHarness } from './adapters';

describeStoreContract(localHarness);
