import '@testing-library/jest-dom/vitest';

// A browser resolves the app's relative URLs ('/api/v1/…') against the page; Node's Request does
// not, and the typed client takes Request when it is created, so it is set before any test loads.
const NodeRequest = globalThis.Request;
globalThis.Request = class extends NodeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === 'string' ? new URL(input, window.location.href) : input, init);
  }
};

// CodeMirror measures text ranges after each change; jsdom lays nothing out, so they measure empty.
if (!Range.prototype.getClientRects) {
  Range.prototype.getClientRects = () => Object.assign([], { item: () => null }) as unknown as DOMRectList;
  Range.prototype.getBoundingClientRect = () => new DOMRect();
}
