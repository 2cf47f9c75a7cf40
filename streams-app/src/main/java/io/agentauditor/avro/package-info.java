/**
 * The Avro edge of the engine: the records of the auditor's topics ({@code io.agentauditor.schema},
 * generated from {@code schemas/}) to and from the engine's model ({@code io.agentauditor.model}).
 * Mappers map; section 2's rules live in the model, so an Avro event and a JSON line are judged by
 * the same code.
 */
package io.agentauditor.avro;
