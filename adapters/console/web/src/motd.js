// Minecraft's § formatting codes as spans: colours by class (the palette
// lives in style.css with contrast on both themes), bold/italic/underline,
// obfuscated shown plainly, §r resetting everything.
const colours = '0123456789abcdef';
const styles = { l: 'b', o: 'i', n: 'u', m: 's' };

export function motdSpans(text) {
  const out = [];
  let colour = '';
  let deco = new Set();
  let buf = '';
  const flush = () => {
    if (buf) out.push({ text: buf, cls: ['mc', colour && `mc-${colour}`, ...[...deco].map((d) => `mc-${d}`)].filter(Boolean).join(' ') });
    buf = '';
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '§' && i + 1 < text.length) {
      const c = text[i + 1].toLowerCase();
      flush();
      if (colours.includes(c)) {
        colour = c;
        deco = new Set();
      } else if (styles[c]) deco.add(styles[c]);
      else if (c === 'r') {
        colour = '';
        deco = new Set();
      }
      i++;
      continue;
    }
    buf += text[i];
  }
  flush();
  return out;
}
