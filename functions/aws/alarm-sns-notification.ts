// Lambda handler for classic CloudWatch alarm notifications, from the SNS topics the
// alarms notify (the function subscribes to those given at deploy time).
import { lambdaHandler } from '../../shared/runtime/handler';

export const handler = lambdaHandler('CloudWatch Alarm SNS Notification');
