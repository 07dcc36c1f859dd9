import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { defineCell } from '../src/cell/define-cell.js';
import { MessageVersionError, ValidationError } from '../src/errors.js';
import {
  checkMessageSchemas,
  messageVersion,
  protocolVersions,
  upcastMessage,
} from '../src/transport/message-versions.js';

const steps: Array<[number, unknown]> = [];
/** `move` at version 3: v1 `{ d }` → v2 `{ distance }` → v3 `{ distance, unit }`. */
const move = checkMessageSchemas('test', {
  move: {
    version: 3,
    upcast: (body: Record<string, unknown>, fromVersion: number) => {
      steps.push([fromVersion, body]);
      if (fromVersion === 1) return { distance: body.d };
      if (fromVersion === 2) return { ...body, unit: 'm' };
      throw new Error(`no step from ${fromVersion}`);
    },
  },
}).move;

describe('message versions', () => {
  it('upcasts one step per version, in order, from the received version up to its own', () => {
    steps.length = 0;
    expect(upcastMessage('move', { d: 4 }, 1, move)).toEqual({ distance: 4, unit: 'm' });
    expect(steps).toEqual([
      [1, { d: 4 }],
      [2, { distance: 4 }],
    ]);
    steps.length = 0;
    expect(upcastMessage('move', { distance: 2 }, 2, move)).toEqual({ distance: 2, unit: 'm' });
    expect(steps.map(([v]) => v)).toEqual([2]);
  });

  it('passes its own version through untouched', () => {
    const body = { distance: 1, unit: 'km' };
    expect(upcastMessage('move', body, 3, move)).toBe(body);
    expect(upcastMessage('other', body, 1)).toBe(body);
  });

  it('refuses a newer version in one line naming the type and both versions', () => {
    const refuse = () => upcastMessage('move', {}, 4, move);
    expect(refuse).toThrow(MessageVersionError);
    expect(refuse).toThrow(
      /^message move has version 4, newer than version 3 this node reads; not handled \(send version 3, or upgrade this node\)$/,
    );
    // A type without a schema is version 1: version 2 of it is refused too.
    expect(() => upcastMessage('ping', {}, 2)).toThrow(/^message ping has version 2, newer than version 1 /);
  });

  it('turns a failing upcast step into a MessageVersionError naming the step', () => {
    const [bad] = Object.values(
      checkMessageSchemas('t', {
        x: {
          version: 2,
          upcast: () => {
            throw new Error('field d missing');
          },
        },
      }),
    );
    expect(() => upcastMessage('x', {}, 1, bad)).toThrow(
      /^message x: upcasting from version 1 to 2 failed: field d missing; not handled$/,
    );
  });

  it('writes each type at its declared version, else the built-in one (1)', () => {
    const own = checkMessageSchemas('t', { move: { version: 3, upcast: (b: unknown) => b } });
    expect(messageVersion('move', own)).toBe(3);
    expect(messageVersion('ping', own)).toBe(1);
    expect(messageVersion('heartbeat')).toBe(1);
    // No prototype: a type called `constructor` has no schema by accident.
    expect(messageVersion('constructor', own)).toBe(1);
  });

  it('checks declarations: whole versions from 1, an upcast above 1, dotted type names', () => {
    expect(() => checkMessageSchemas('cell type c', { move: { version: 0 } })).toThrow(ValidationError);
    expect(() => checkMessageSchemas('cell type c', { move: { version: 2 } })).toThrow(
      'cell type c: message move: version 2 needs upcast(body, fromVersion) for older senders',
    );
    expect(() => checkMessageSchemas('cell type c', { 'bad subject': { version: 1 } })).toThrow(/message type/);
    expect(() => checkMessageSchemas('cell type c', [])).toThrow(/messages must be an object/);
    expect(() =>
      defineCell({
        type: 'c',
        description: 'd',
        machine: () => createMachine({}),
        messages: { move: { version: 2 } },
      }),
    ).toThrow(/cell type c: message move: version 2 needs upcast/);
  });

  it('lists the protocol versions a node speaks for its heartbeat', () => {
    const counter = defineCell({
      type: 'counter',
      description: 'd',
      machine: () => createMachine({}),
      messages: { increment: { version: 2, upcast: (b: unknown) => b }, get: { version: 1 } },
    });
    const plain = defineCell({ type: 'echo', description: 'd', machine: () => createMachine({}) });
    expect(protocolVersions([counter, plain])).toEqual(['hms/1', 'counter:increment/2']);
  });
});
