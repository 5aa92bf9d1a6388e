// How the simulator describes a product's data points. The wire shape of `GET /app/datapoint` is built
// from this in datapoint-document.ts; validation and encoding of values live in datapoint-values.ts.

/** What a data point is for; spelled on the wire either as words or as the table's letters. */
export type DataPointKind = 'writable' | 'readonly' | 'alert' | 'fault';

export type DataType = 'bool' | 'enum' | 'uint8' | 'uint16' | 'uint32' | 'binary';

/** Raw range and the scaling the device applies: shown value = raw * ratio + addition. */
export interface UintSpec {
  readonly min: number;
  readonly max: number;
  readonly ratio: number;
  readonly addition: number;
}

export interface DataPointDefinition {
  readonly name: string;
  readonly display_name: string;
  readonly kind: DataPointKind;
  readonly data_type: DataType;
  readonly uint_spec?: UintSpec;
  readonly enum?: ReadonlyArray<string>;
  /** Length in bytes; binary data points only. */
  readonly binaryLength?: number;
}

/**
 * `words` answers `status_writable`/`status_readonly`/`alert`/`fault` (the document's example and most
 * real products); `letters` answers `W`/`R`/`N`/`E` (the document's field table).
 */
export type TypeSpelling = 'words' | 'letters';

export interface ProductDefinition {
  readonly product_key: string;
  readonly product_secret: string;
  readonly name: string;
  readonly typeSpelling: TypeSpelling;
  readonly attrs: ReadonlyArray<DataPointDefinition>;
}
