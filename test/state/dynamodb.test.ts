import { describeStoreContract } from './contract';
import { dynamodbHarness } from './adapters';

describeStoreContract(dynamodbHarness);
