/**
 * The pre-merge gate (contract section 13): files scanned with the engine's own {@link
 * io.agentauditor.engine.ArgumentScanner}, each match reported under the rule the runtime would
 * use for where it sits, and the reports ({@code ./auditor check}).
 */
package io.agentauditor.check;
