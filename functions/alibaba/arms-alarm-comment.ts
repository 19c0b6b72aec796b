// FC 3.0 handler for comments added to ARMS alerts.
import { fcHandler } from '../../shared/runtime/handler';

export const handler = fcHandler('aliyun:arms:alarm:comment');
