// Tiny DOM helpers shared by the demo modules: typed element lookup, element creation and
// <option> filling. No framework: every module owns the elements it renders.

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo: missing element #${id}`);
  return el as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, children: (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

export function fillSelect(select: HTMLSelectElement, values: readonly string[], selected?: string): void {
  select.replaceChildren(...values.map((v) => el('option', { value: v }, [v])));
  if (selected !== undefined && values.includes(selected)) select.value = selected;
}

export function num(id: string, fallback: number): number {
  const v = Number(byId<HTMLInputElement>(id).value);
  return Number.isFinite(v) ? v : fallback;
}

export function setText(id: string, text: string): void {
  byId(id).textContent = text;
}
