// Builds the answer of `GET /app/datapoint` (and the rule-parameter list) in the document's shape.
import { shownRange } from './datapoint-values';
import { statusLayout, type Position } from './p0-layout';
import type { DataPointDefinition, DataPointKind, ProductDefinition } from './product-types';

const WORD_SPELLING: Record<DataPointKind, string> = {
  writable: 'status_writable',
  readonly: 'status_readonly',
  alert: 'alert',
  fault: 'fault',
};

const LETTER_SPELLING: Record<DataPointKind, string> = {
  writable: 'W',
  readonly: 'R',
  alert: 'N',
  fault: 'E',
};

function attrEntry(product: ProductDefinition, point: DataPointDefinition, id: number, position: Position) {
  const spelling = product.typeSpelling === 'letters' ? LETTER_SPELLING : WORD_SPELLING;
  return {
    id,
    name: point.name,
    display_name: point.display_name,
    desc: '.....',
    type: spelling[point.kind],
    data_type: point.data_type,
    position,
    ...(point.uint_spec ? { uint_spec: { ...point.uint_spec } } : {}),
    ...(point.enum ? { enum: [...point.enum] } : {}),
  };
}

function uiElement(point: DataPointDefinition) {
  const key = `entity0.${point.name}`;
  const object = { action: 'entity0', bind: [key], perm: LETTER_SPELLING[point.kind] };
  switch (point.data_type) {
    case 'bool':
      return { type: 'QBooleanElement', key, title: point.display_name, boolValue: false, object };
    case 'enum':
      return {
        type: 'QRadioElement',
        key,
        title: point.display_name,
        items: [...(point.enum ?? [])],
        object,
      };
    case 'binary':
      return {
        type: 'QMultilineElement',
        key,
        title: point.display_name,
        keyboardType: 'NumbersAndPunctuation',
        maxLength: (point.binaryLength ?? 0) * 2,
        object,
      };
    default: {
      const range = shownRange(point);
      const step = point.uint_spec?.ratio ?? 1;
      return {
        type: point.kind === 'writable' ? 'QFloatElement' : 'QLabelElement',
        key,
        title: point.display_name,
        bind: 'floatValue:float',
        maximumValue: range.max,
        minimumValue: range.min,
        value: 0,
        object: { ...object, uint_spec: { max: range.max, step, min: range.min } },
      };
    }
  }
}

export function datapointDocument(product: ProductDefinition) {
  const { positions } = statusLayout(product);
  return {
    name: product.name,
    entities: [
      {
        id: 0,
        name: 'entity0',
        display_name: '机智云开发套件',
        attrs: product.attrs.map((point, index) =>
          attrEntry(product, point, index, positions.get(point.name)!),
        ),
      },
    ],
    protocolType: 'standard',
    product_key: product.product_key,
    packetVersion: '0x00000004',
    ui: {
      object: { version: 4, showEditButton: false },
      sections: [{ elements: product.attrs.map(uiElement) }],
    },
  };
}

/** One product's entry of `GET /app/rules/params`: numbers are reported as `int`, as in the document. */
export function ruleParams(product: ProductDefinition) {
  return product.attrs.map((point) => ({
    display_name: point.display_name,
    enum: [...(point.enum ?? [])],
    type: point.data_type.startsWith('uint') ? 'int' : point.data_type,
    name: point.name,
  }));
}
