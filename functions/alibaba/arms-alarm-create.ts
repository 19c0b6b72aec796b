// FC 3.0 handler for ARMS alerts triggered (EventBridge trigger, CloudEvents).
import { fcHandler } from '../../shared/runtime/handler';

export const handler = fcHandler('aliyun:arms:alarm:create');
