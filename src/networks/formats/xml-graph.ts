/**
 * GEXF (https://gexf.net, Gephi's format) and GraphML (http://graphml.graphdrawing.org) readers.
 * Both are XML with <node id> and <edge source target> elements; they differ only in how they
 * say an edge is directed, which the dialects below capture. Nodes keep their document order.
 */
import type { Issue } from '../../core/errors.ts';
import type { RawEdge, RawGraph, RawNode } from '../assemble.ts';
import { scanXml, XmlSyntaxError, type XmlTag } from './xml.ts';

interface Dialect {
  readonly name: string;
  /** Attribute of <graph> giving the default edge direction, and its default. */
  readonly graphAttr: string;
  readonly graphDefault: string;
  /** Is an edge directed, given its own direction attribute (if any) and the graph default. */
  directed(edge: XmlTag, graphDefault: string): boolean | string;
}

export const GEXF: Dialect = {
  name: 'GEXF',
  graphAttr: 'defaultedgetype',
  // Gephi and graphology read a missing defaultedgetype as undirected.
  graphDefault: 'undirected',
  directed(edge, graphDefault) {
    const type = edge.attrs.type ?? graphDefault;
    if (type === 'directed') return true;
    if (type === 'undirected' || type === 'mutual') return false;
    return `edge type must be directed, undirected or mutual; got ${JSON.stringify(type)}`;
  },
};

export const GRAPHML: Dialect = {
  name: 'GraphML',
  graphAttr: 'edgedefault',
  // The attribute is required by the GraphML schema; graphology and networkx read it as undirected when absent.
  graphDefault: 'undirected',
  directed(edge, graphDefault) {
    const own = edge.attrs.directed;
    if (own === 'true') return true;
    if (own === 'false') return false;
    if (own !== undefined) return `directed must be true or false; got ${JSON.stringify(own)}`;
    if (graphDefault === 'directed') return true;
    if (graphDefault === 'undirected') return false;
    return `edgedefault must be directed or undirected; got ${JSON.stringify(graphDefault)}`;
  },
};

export function readXmlGraph(text: string, source: string, dialect: Dialect): { raw: RawGraph | null; issues: Issue[] } {
  const issues: Issue[] = [];
  const nodes: RawNode[] = [];
  const edges: RawEdge[] = [];
  let graphDefault: string | undefined;
  try {
    for (const tag of scanXml(text)) {
      if (tag.form === 'close') continue;
      const where = `${source}:${tag.line}`;
      if (tag.name === 'graph' && graphDefault === undefined) {
        graphDefault = tag.attrs[dialect.graphAttr] ?? dialect.graphDefault;
      } else if (tag.name === 'node') {
        const id = tag.attrs.id;
        if (id === undefined) issues.push({ path: where, message: '<node> has no id attribute' });
        else nodes.push({ key: id, at: where });
      } else if (tag.name === 'edge') {
        const { source: s, target: t } = tag.attrs;
        const directed = dialect.directed(tag, graphDefault ?? dialect.graphDefault);
        if (s === undefined || t === undefined) {
          issues.push({ path: where, message: `<edge> needs both source and target attributes` });
        } else if (typeof directed === 'string') {
          issues.push({ path: where, message: directed });
        } else {
          edges.push({ source: s, target: t, directed, at: where });
        }
      }
    }
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
    issues.push({ path: `${source}:${err.line}`, message: `not well-formed XML: ${err.message}` });
    return { raw: null, issues };
  }
  if (graphDefault === undefined) {
    issues.push({ path: source, message: `not a ${dialect.name} file: no <graph> element`, fix: 'check the file and its format' });
  }
  return { raw: issues.length === 0 ? { nodes, edges } : null, issues };
}
