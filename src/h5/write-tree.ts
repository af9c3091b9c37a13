/**
 * Writing a described tree (see `tree.ts`) into an open file through
 * h5wasm: the h5wasm engine's half of `store.ts`.
 */
import type { H5File } from './file.js';
import { childOf, parentOf } from './paths.js';
import type { H5ArrayNode, H5Attributes, H5Content, H5Node } from './tree.js';

function writeAttributes(out: H5File, path: string, attributes: H5Attributes | undefined): void {
  for (const [name, text] of Object.entries(attributes ?? {})) {
    out.writeStringAttribute(path, name, text);
  }
}

/** Writes one array dataset with its attributes. */
export function writeArrayNode(out: H5File, path: string, node: H5ArrayNode): void {
  out.writeArray(path, node.value, node.storage);
  writeAttributes(out, path, node.attributes);
}

/** Writes `node` at `path` (which must not exist yet). */
export function writeNode(out: H5File, path: string, node: H5Node): void {
  switch (node.kind) {
    case 'array':
      writeArrayNode(out, path, node);
      return;
    case 'string':
      out.writeString(path, node.text);
      writeAttributes(out, path, node.attributes);
      return;
    case 'external-link':
      out.createExternalLink(path, node.targetFile, node.targetPath);
      return;
    case 'hard-link':
      out.createHardLink(path, node.target);
      return;
    case 'slab':
      out.writeSlab(path, node.value, node.offset);
      return;
    case 'group':
      out.createGroup(path);
      writeAttributes(out, path, node.attributes);
      for (const member of node.members) writeNode(out, childOf(path, member.name), member.node);
  }
}

/**
 * Writes a content's members, by path from the root (creating missing
 * parent groups with the `parents` attributes), then the root attributes.
 */
export function writeContent(out: H5File, content: H5Content): void {
  const { members, parents, attributes } = content;
  for (const { name, node } of members) {
    const path = childOf(
      '/',
      name
        .split('/')
        .filter((p) => p !== '')
        .join('/'),
    );
    const parent = parentOf(path);
    if (parent !== '/' && out.entry(parent).kind === 'missing') {
      writeNode(out, parent, { kind: 'group', members: [], attributes: parents });
    }
    writeNode(out, path, node);
  }
  writeAttributes(out, '/', attributes);
}
