// Messages written into validation schemas are French (the product speaks French first); each is
// declared with its English version at the same place, so the two cannot drift apart, and the HTTP
// layer answers in English when the client asks for it (the web app sends its interface language).
const english = new Map<string, string>();

/** Returns the French message, remembering its English version for clients that ask for English. */
export function say(fr: string, en: string): string {
  english.set(fr, en);
  return fr;
}

/** The English version of a message declared with say(); any other message is returned as it is. */
export function inEnglish(message: string): string {
  return english.get(message) ?? message;
}
