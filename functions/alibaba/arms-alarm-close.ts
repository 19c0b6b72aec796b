// FC 3.0 handler for ARMS alerts cleared.
import { fcHandler } from '../../shared/runtime/handler';

export const handler = fcHandler('aliyun:arms:alarm:close');
