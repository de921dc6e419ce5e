/** A value as the rules' messages quote it: `"foo"`, `3`, `["a"]`. */
export const q = (value: unknown) => JSON.stringify(value);
