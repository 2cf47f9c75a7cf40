package io.agentauditor.registry;

/**
 * A schema registry request that failed, with what the registry said.
 *
 * <p>{@link #status()} is the HTTP status, or {@link #NO_RESPONSE} when no response came (connection
 * refused, timeout, TLS failure, interrupted). {@link #errorCode()} is the registry's {@code
 * error_code} (e.g. {@value #SUBJECT_NOT_FOUND}, {@value #SCHEMA_NOT_FOUND}, {@value #INCOMPATIBLE},
 * {@value #INVALID_SCHEMA}), or {@link #NO_ERROR_CODE} when the body carried none. The four supported
 * registries (Confluent, Apicurio ccompat, Karapace, Redpanda) use the same codes, except that Apicurio
 * may answer {@value #SUBJECT_NOT_FOUND} where Confluent says {@value #SCHEMA_NOT_FOUND}, so callers
 * should test {@link #isNotFound()} rather than one code.
 */
public class SchemaRegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** {@link #status()} when no HTTP response was received. */
  public static final int NO_RESPONSE = 0;
  /** {@link #errorCode()} when the registry gave none. */
  public static final int NO_ERROR_CODE = -1;
  /** Subject not found. */
  public static final int SUBJECT_NOT_FOUND = 40401;
  /** Version not found. */
  public static final int VERSION_NOT_FOUND = 40402;
  /** Schema (id, or schema under a subject) not found. */
  public static final int SCHEMA_NOT_FOUND = 40403;
  /** Schema incompatible with an earlier version of the subject (HTTP 409). */
  public static final int INCOMPATIBLE = 409;
  /** Schema invalid (HTTP 422). */
  public static final int INVALID_SCHEMA = 42201;

  private final int status;
  private final int errorCode;

  public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, int status, int errorCode) {
    this(message, status, errorCode, null);
  }

  /** HTTP status, or {@link #NO_RESPONSE}. */
  public int status() {
    return status;
  }

  /** The registry's {@code error_code}, or {@link #NO_ERROR_CODE}. */
  public int errorCode() {
    return errorCode;
  }

  /** True for HTTP 404: subject, version or schema unknown to the registry. */
  public boolean isNotFound() {
    return status == 404;
  }

  /** True for HTTP 409: the registry's compatibility check rejected the schema. */
  public boolean isIncompatible() {
    return status == 409;
  }

  /**
   * True when trying again may succeed: no response, or a 5xx. A 4xx is the request's fault and is
   * never retried.
   */
  public boolean isRetriable() {
    return status == NO_RESPONSE || status >= 500;
  }
}
