import { z } from 'zod';
export const s = z.object({ path: z.string().min(1) }).strict();
