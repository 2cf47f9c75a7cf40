package io.agentauditor.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.agentauditor.model.InvalidStepException;
import io.agentauditor.model.Step;
import io.agentauditor.text.Utf8;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON reading shared by the codecs: token-level checks that throw {@link FieldError} with a
 * field path, and the translation of Jackson's own errors.
 */
final class StrictJson {

  /** Deepest nesting accepted; events need 3 levels, the rest is room for unknown fields. */
  static final int MAX_DEPTH = 64;

  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          // Attacker-chosen keys (tool arguments) must not fill the JVM's string intern pool.
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build();

  static final String MISSING = "required field is missing";
  static final String NULL = "required field is null";
  static final String EMPTY_ID = "must not be empty";

  private StrictJson() {}

  /** JSON type name of a value token, for "expected X, got Y" reasons. */
  static String typeName(JsonToken token) {
    if (token == null) {
      return "end of input";
    }
    return switch (token) {
      case START_OBJECT -> "object";
      case START_ARRAY -> "array";
      case VALUE_STRING -> "string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NULL -> "null";
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }

  /** A required string: not null, a JSON string, without unpaired surrogates. */
  static String requiredString(JsonParser p, JsonToken t, String path) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      throw new FieldError(path, NULL);
    }
    return string(p, t, path);
  }

  /** An optional string: null when JSON null, otherwise as {@link #requiredString}. */
  static String optionalString(JsonParser p, JsonToken t, String path) throws IOException {
    return t == JsonToken.VALUE_NULL ? null : string(p, t, path);
  }

  /** A required, non-empty identifier. */
  static String requiredId(JsonParser p, JsonToken t, String path) throws IOException {
    String id = requiredString(p, t, path);
    if (id.isEmpty()) {
      throw new FieldError(path, EMPTY_ID);
    }
    return id;
  }

  /** The value at {@code t}, which must be a JSON string. */
  static String string(JsonParser p, JsonToken t, String path) throws IOException {
    if (t != JsonToken.VALUE_STRING) {
      throw new FieldError(path, "expected string, got " + typeName(t));
    }
    return checkText(p.getText(), path);
  }

  /**
   * Rejects unpaired UTF-16 surrogates (from {@code \ud800} escapes or a malformed Java string):
   * they have no UTF-8 form, so Avro would replace them and two different ids could collapse.
   */
  static String checkText(String s, String path) {
    try {
      Step.Fields.checkText(s, path);
    } catch (InvalidStepException e) {
      throw new FieldError(e.path(), e.reason());
    }
    return s;
  }


  /**
   * A JSON integer (no fraction, no exponent) within [{@code min}, 2^31-1]; the caller handles
   * null.
   */
  static int integer(JsonParser p, JsonToken t, String path, int min) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      throw new FieldError(path, "expected integer, got number with fraction or exponent");
    }
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw new FieldError(path, "expected integer, got " + typeName(t));
    }
    if (p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < min) {
      throw new FieldError(path, "integer out of range [" + min + ", " + Integer.MAX_VALUE + "]");
    }
    return p.getIntValue();
  }

  /**
   * A required array of strings (possibly empty). What the strings must be (scopes, for the
   * events' lists) is for the caller to judge.
   */
  static List<String> stringArray(JsonParser p, JsonToken t, String path) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      throw new FieldError(path, NULL);
    }
    if (t != JsonToken.START_ARRAY) {
      throw new FieldError(path, "expected array, got " + typeName(t));
    }
    List<String> out = new ArrayList<>();
    JsonToken e;
    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
      if (e != JsonToken.VALUE_STRING) {
        throw new FieldError(JsonPaths.index(path, out.size()), "expected string, got " + typeName(e));
      }
      out.add(checkText(p.getText(), JsonPaths.index(path, out.size())));
    }
    return out;
  }

  /** A required enum value by its exact symbol; {@code symbols} holds the accepted ones only. */
  static <E extends Enum<E>> E enumValue(
      JsonParser p, JsonToken t, String path, Map<String, E> symbols) throws IOException {
    String s = requiredString(p, t, path);
    E e = symbols.get(s);
    if (e == null) {
      throw new FieldError(
          path, "unknown value " + JsonPaths.quote(s) + ", expected one of " + symbols.keySet());
    }
    return e;
  }

  /** Expects the start of an object at a required position. */
  static void requireObject(JsonToken t, String path) {
    if (t == JsonToken.VALUE_NULL) {
      throw new FieldError(path, NULL);
    }
    if (t != JsonToken.START_OBJECT) {
      throw new FieldError(path, "expected object, got " + typeName(t));
    }
  }

  /** Fails with "required field is missing" when {@code value} was never set. */
  static void present(Object value, String path) {
    if (value == null) {
      throw new FieldError(path, MISSING);
    }
  }

  /**
   * Reads the end of the line after the root object: only JSON whitespace may follow.
   *
   * @throws FieldError at {@code $} for anything else
   */
  static void requireEnd(JsonParser p) {
    try {
      if (p.nextToken() == null) {
        return;
      }
    } catch (IOException e) {
      // falls through: whatever follows, it is not whitespace
    }
    throw new FieldError(JsonPaths.ROOT, "trailing content after the JSON object");
  }

  /** Translates a Jackson error into a field error at the parser's current position. */
  static FieldError translate(JsonParser p, IOException e) {
    String path = p == null ? JsonPaths.ROOT : JsonPaths.of(p.getParsingContext());
    if (e instanceof StreamConstraintsException) {
      String message = String.valueOf(e.getMessage());
      if (message.contains("nesting depth")) {
        return new FieldError(path, "nested deeper than " + MAX_DEPTH + " levels");
      }
      return new FieldError(path, "value exceeds a parser limit: " + firstLine(message));
    }
    if (e instanceof JsonProcessingException jpe) {
      String original = String.valueOf(jpe.getOriginalMessage());
      if (original.startsWith("Duplicate ")) {
        return new FieldError(path, "duplicate key");
      }
      long offset = jpe.getLocation() == null ? -1 : jpe.getLocation().getCharOffset();
      if (offset < 0 && jpe.getLocation() != null) {
        offset = jpe.getLocation().getByteOffset();
      }
      return new FieldError(
          path, "malformed JSON: " + firstLine(original) + (offset >= 0 ? " at offset " + offset : ""));
    }
    return new FieldError(path, "unreadable input: " + e.getClass().getSimpleName());
  }

  /**
   * Checks that {@code buf[off, off+len)} is well-formed UTF-8 (no overlong forms, no surrogates,
   * nothing above U+10FFFF) without NUL bytes, so Jackson never guesses UTF-16/32 and never sees
   * undecodable bytes.
   */
  static void checkUtf8(byte[] buf, int off, int len) {
    int at = Utf8.firstInvalid(buf, off, len, true);
    if (at < 0) {
      return;
    }
    if (buf[off + at] == 0) {
      throw new FieldError(JsonPaths.ROOT, "malformed JSON: NUL byte at offset " + at);
    }
    throw invalidUtf8(at);
  }

  private static FieldError invalidUtf8(int offset) {
    return new FieldError(JsonPaths.ROOT, "invalid UTF-8 at byte offset " + offset);
  }

  private static String firstLine(String message) {
    int cut = message.indexOf('\n');
    String line = cut < 0 ? message : message.substring(0, cut);
    // Jackson appends "(... [Source: REDACTED ...; line: 1, column: 1])"; the offset says it better.
    int source = line.indexOf("[Source:");
    if (source >= 0) {
      int open = line.lastIndexOf(" (", source);
      line = line.substring(0, open >= 0 ? open : source);
    }
    return line.length() > 200 ? line.substring(0, 200) + "\u2026" : line;
  }
}
