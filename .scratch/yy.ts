import { parseDocument } from 'yaml';
export const s = parseDocument;
