import middy from '@middy/core';
export const s = middy;
