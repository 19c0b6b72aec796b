// Lambda handler for CloudWatch alarms that invoke the function directly as their action.
import { lambdaHandler } from '../../shared/runtime/handler';

export const handler = lambdaHandler('CloudWatch Alarm Lambda Action');
