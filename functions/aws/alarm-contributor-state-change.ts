// Lambda handler for CloudWatch multi-time-series alarm contributor state changes.
import { lambdaHandler } from '../../shared/runtime/handler';

export const handler = lambdaHandler('CloudWatch Alarm Contributor State Change');
