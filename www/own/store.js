// Keeps "Your image" (the working image, its labels and classes) in IndexedDB, so a reload restores
// the painting and nothing leaves the browser. Every failure (no IndexedDB in a private window or a
// sandboxed frame, a full quota, a blocked or damaged database) comes back as a one-line message to
// show; nothing here throws at the caller.

const VERSION = 1;

/**
 * @typedef {{width: number, height: number, rgb: Float32Array, labels: Uint8Array,
 *   classes: {name: string, color: string}[], natural?: {width: number, height: number}}} OwnState
 */

/** A one-line reason from an IndexedDB error or exception. */
function reason(e, doing) {
  const name = e?.name ?? '';
  if (name === 'QuotaExceededError') return `the painting could not be ${doing}: the browser's storage for this page is full`;
  if (name === 'SecurityError' || name === 'InvalidStateError') return `the painting could not be ${doing}: this browser keeps no storage for this page (private window?), it will not survive a reload`;
  return `the painting could not be ${doing}: ${String(e?.message ?? e ?? 'unknown error').split('\n')[0]}`;
}

/**
 * A store for one painting.
 * @param {{db?: string, key?: string}} [opts]
 */
export function createStore({ db = 'dicelab', key = 'own-image' } = {}) {
  let opened = null;
  const open = () => {
    opened ??= new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined' || !indexedDB) {
        reject(Object.assign(new Error('no IndexedDB'), { name: 'SecurityError' }));
        return;
      }
      const req = indexedDB.open(db, VERSION);
      req.onupgradeneeded = () => req.result.createObjectStore('paintings');
      req.onsuccess = () => {
        // Another tab upgrading the database must not wait on this one; the next call reopens.
        req.result.onversionchange = () => {
          req.result.close();
          opened = null;
        };
        resolve(req.result);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('the database is blocked by another tab of this page'));
    });
    opened.catch(() => {
      opened = null; // try again next time
    });
    return opened;
  };
  // One request in its own transaction; it settles when the transaction does (a full quota shows as
  // an abort), so "kept" means committed.
  const tx = async (mode, fn) => {
    const t = (await open()).transaction('paintings', mode);
    const req = fn(t.objectStore('paintings'));
    return new Promise((resolve, reject) => {
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error ?? req.error);
      t.onabort = () => reject(t.error ?? new Error('the transaction was aborted'));
    });
  };

  return {
    /**
     * The kept painting, or null.
     * @returns {Promise<{state: OwnState|null, error: string|null}>}
     */
    async load() {
      try {
        const v = await tx('readonly', (s) => s.get(key));
        const ok = v && v.version === VERSION && v.rgb instanceof Float32Array && v.labels instanceof Uint8Array
          && v.rgb.length === v.width * v.height * 3 && v.labels.length === v.width * v.height && Array.isArray(v.classes);
        if (v && !ok) return { state: null, error: 'the kept painting is damaged or from another version: it was not restored' };
        return { state: ok ? { width: v.width, height: v.height, rgb: v.rgb, labels: v.labels, classes: v.classes, natural: v.natural } : null, error: null };
      } catch (e) {
        return { state: null, error: reason(e, 'restored') };
      }
    },
    /**
     * Keeps `state` (a copy is made by IndexedDB).
     * @param {OwnState} state
     * @returns {Promise<string|null>} the error message, or null
     */
    async save(state) {
      try {
        const { width, height, rgb, labels, classes, natural } = state;
        await tx('readwrite', (s) => s.put({ version: VERSION, width, height, rgb, labels, classes, natural }, key));
        return null;
      } catch (e) {
        return reason(e, 'kept');
      }
    },
    /** Forgets the kept painting. @returns {Promise<string|null>} */
    async clear() {
      try {
        await tx('readwrite', (s) => s.delete(key));
        return null;
      } catch (e) {
        return reason(e, 'forgotten');
      }
    },
  };
}
