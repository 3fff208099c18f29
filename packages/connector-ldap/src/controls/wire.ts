/**
 * The controls as ldapts request controls. ldapts 8 has no VLV control and
 * gives a search's response controls only to a request control of the same
 * OID, so each response is caught by a {@link ResponseCatcher}: a control
 * object that carries the response OID, is never written to the wire, and
 * keeps the raw value ldapts hands it.
 */
import { type BerReader, type BerWriter, Control } from 'ldapts';
import { encodeSortRequest, SORT_REQUEST_OID, SORT_RESPONSE_OID, type SortKey } from './sort.js';
import { encodeVlvRequest, VLV_REQUEST_OID, VLV_RESPONSE_OID, type VlvRequest } from './vlv.js';

const OCTET_STRING = 0x04;

/** A request control whose value this package encoded. */
export class EncodedControl extends Control {
  constructor(
    oid: string,
    private readonly value: Uint8Array,
    critical: boolean,
  ) {
    super(oid, { critical });
  }

  protected override writeControl(writer: BerWriter): void {
    writer.writeBuffer(Buffer.from(this.value), OCTET_STRING);
  }
}

/** Receives the value of one response control; sends nothing. */
export class ResponseCatcher extends Control {
  /** The response control's raw value, once the server sent one. */
  value: Uint8Array | undefined;

  constructor(oid: string) {
    super(oid);
  }

  override write(): void {
    // Not a request control: nothing goes on the wire.
  }

  protected override parseControl(reader: BerReader): void {
    this.value = Uint8Array.from(reader.buffer);
  }
}

/** The controls of one sorted VLV search, with catchers for both responses. */
export interface VlvControls {
  controls: Control[];
  vlv: ResponseCatcher;
  sort: ResponseCatcher;
}

/**
 * Builds the request controls of a VLV search: the sort (critical, so the
 * window is never cut from an unsorted list) and the VLV request (critical,
 * so a server that ignores it fails instead of returning everything).
 */
export function vlvControls(keys: SortKey[], request: VlvRequest): VlvControls {
  const vlv = new ResponseCatcher(VLV_RESPONSE_OID);
  const sort = new ResponseCatcher(SORT_RESPONSE_OID);
  return {
    controls: [
      new EncodedControl(SORT_REQUEST_OID, encodeSortRequest(keys), true),
      new EncodedControl(VLV_REQUEST_OID, encodeVlvRequest(request), true),
      vlv,
      sort,
    ],
    vlv,
    sort,
  };
}
