/** One Fashion-MNIST class: its index in the official label files, its name, a folder-safe slug. */
export interface FashionLabel {
  readonly index: number;
  readonly name: string;
  readonly slug: string;
}

/** The ten classes in the order of the official label files; slugs are stable identifiers. */
export const LABELS: readonly FashionLabel[] = Object.freeze(
  [
    ['T-shirt/top', 't-shirt-top'],
    ['Trouser', 'trouser'],
    ['Pullover', 'pullover'],
    ['Dress', 'dress'],
    ['Coat', 'coat'],
    ['Sandal', 'sandal'],
    ['Shirt', 'shirt'],
    ['Sneaker', 'sneaker'],
    ['Bag', 'bag'],
    ['Ankle boot', 'ankle-boot'],
  ].map(([name, slug], index) => Object.freeze({ index, name, slug })),
);

export const NUM_CLASSES = 10;

const slugify = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * The label a dataset folder stands for: its slug, its name in any case or punctuation
 * (`Ankle boot`, `ankle_boot`, `T-shirt_top`) or its index (`7`); undefined when none matches.
 */
export function labelIndexOf(folderName: string): number | undefined {
  if (/^\d+$/.test(folderName)) {
    const index = Number(folderName);
    return index < NUM_CLASSES ? index : undefined;
  }
  const slug = slugify(folderName);
  return LABELS.find((label) => label.slug === slug)?.index;
}
