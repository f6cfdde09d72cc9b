// @ts-check
/** What the web console may weigh, gzipped, all its files together (KiB): the build and the tests check it. */
export const CONSOLE_BUDGET_KIB = 150;
