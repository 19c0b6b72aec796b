// Lambda handler for CloudWatch alarm configuration changes (create, update, delete).
import { lambdaHandler } from '../../shared/runtime/handler';

export const handler = lambdaHandler('CloudWatch Alarm Configuration Change');
