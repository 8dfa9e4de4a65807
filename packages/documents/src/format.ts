// French formatting shared by every document: dates in Europe/Paris, numbers with spaces.
export function parisDateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const d = new Date(value);
  const date = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
  const time = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(d);
  return `${date} à ${time.replace(':', ' h ')}`;
}

export function parisDate(value: Date | string | null | undefined): string {
  if (!value) return '';
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(value));
}

/** 10000 → "10 000" with a plain space, which every PDF font and every reader handles. */
export function frNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}
