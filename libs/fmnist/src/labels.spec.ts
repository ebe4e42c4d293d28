import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABELS, NUM_CLASSES, labelIndexOf } from './labels.js';

describe('labels', () => {
  it('lists the ten classes in the order of the official label files', () => {
    assert.equal(NUM_CLASSES, 10);
    assert.deepEqual(
      LABELS.map(({ index, name }) => `${index} ${name}`),
      [
        '0 T-shirt/top',
        '1 Trouser',
        '2 Pullover',
        '3 Dress',
        '4 Coat',
        '5 Sandal',
        '6 Shirt',
        '7 Sneaker',
        '8 Bag',
        '9 Ankle boot',
      ],
    );
    assert.deepEqual(
      LABELS.map((label) => label.slug),
      [
        't-shirt-top',
        'trouser',
        'pullover',
        'dress',
        'coat',
        'sandal',
        'shirt',
        'sneaker',
        'bag',
        'ankle-boot',
      ],
    );
  });

  it('finds the class of a folder named by slug, name or index', () => {
    assert.equal(labelIndexOf('ankle-boot'), 9);
    assert.equal(labelIndexOf('Ankle boot'), 9);
    assert.equal(labelIndexOf('ankle_boot'), 9);
    assert.equal(labelIndexOf('T-shirt_top'), 0);
    assert.equal(labelIndexOf('Sneaker'), 7);
    assert.equal(labelIndexOf('3'), 3);
    assert.equal(labelIndexOf('03'), 3);
  });

  it('finds no class for other folder names', () => {
    assert.equal(labelIndexOf('10'), undefined);
    assert.equal(labelIndexOf('hat'), undefined);
    assert.equal(labelIndexOf(''), undefined);
  });

  it('cannot be changed at run time', () => {
    assert.throws(() => {
      (LABELS[0] as { slug: string }).slug = 'tee';
    }, TypeError);
  });
});
