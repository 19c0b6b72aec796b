// Lambda handler for CloudWatch alarm state changes (EventBridge rule on the default bus).
import { lambdaHandler } from '../../shared/runtime/handler';

export const handler = lambdaHandler('CloudWatch Alarm State Change');
