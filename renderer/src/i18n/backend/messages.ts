/** The same tree of keys with any strings (the zh-CN tables are typed by the en ones). */
export type Messages<T> = { [K in keyof T]: T[K] extends string ? string : Messages<T[K]> };
