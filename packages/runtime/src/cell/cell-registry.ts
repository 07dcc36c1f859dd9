import { AlreadyExistsError, NotFoundError } from '../errors.js';
import type { AnyCellDefinition } from './define-cell.js';

/** The cell types a node can host, by type name. */
export class CellRegistry {
  private readonly types = new Map<string, AnyCellDefinition>();

  constructor(definitions: Iterable<AnyCellDefinition> = []) {
    for (const d of definitions) this.register(d);
  }

  /** Adds a cell type. @throws AlreadyExistsError if the type is taken. */
  register(definition: AnyCellDefinition): void {
    if (this.types.has(definition.type)) {
      throw new AlreadyExistsError(`cell type ${definition.type} is already registered`);
    }
    this.types.set(definition.type, definition);
  }

  /** Removes a cell type (its plugin was removed); false when it was not registered. */
  unregister(type: string): boolean {
    return this.types.delete(type);
  }

  /** @throws NotFoundError naming the known types. */
  get(type: string): AnyCellDefinition {
    const d = this.types.get(type);
    if (!d) {
      throw new NotFoundError(
        `unknown cell type ${JSON.stringify(type)} (known: ${[...this.types.keys()].join(', ') || 'none'})`,
        { data: { field: 'type' } },
      );
    }
    return d;
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  /** Every definition registered. */
  definitions(): AnyCellDefinition[] {
    return [...this.types.values()];
  }

  /** Every type with its description. */
  list(): Array<{ type: string; description: string }> {
    return [...this.types.values()].map((d) => ({ type: d.type, description: d.description }));
  }
}
