import { describe, expect, it } from 'vitest';
import { albumBox } from './album-box';

describe('albumBox: a photo row has its final size before any image loads', () => {
  it('draws a single photo at its own proportions within 240×300', () => {
    expect(albumBox([{ width: 1600, height: 1200 }])).toEqual({ width: 240, height: 180 });
    expect(albumBox([{ width: 900, height: 1600 }])).toEqual({ width: 169, height: 300 });
    expect(albumBox([{ width: 100, height: 100 }])).toEqual({ width: 240, height: 240 });
  });

  it('draws an album as rows of two square tiles', () => {
    const photo = { width: 800, height: 600 };
    expect(albumBox([photo, photo])).toEqual({ width: 240, height: 118 });
    expect(albumBox([photo, photo, photo])).toEqual({ width: 240, height: 240 });
    expect(albumBox(Array(10).fill(photo))).toEqual({ width: 240, height: 606 });
  });
});
