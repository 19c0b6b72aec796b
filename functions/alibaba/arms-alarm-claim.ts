// FC 3.0 handler for ARMS alerts claimed.
import { fcHandler } from '../../shared/runtime/handler';

export const handler = fcHandler('aliyun:arms:alarm:claim');
