/**
 * Sets `obj[key]` as an own data property, so a key named `__proto__` (from a
 * literal or JSON) stays data instead of replacing the object's prototype.
 */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
