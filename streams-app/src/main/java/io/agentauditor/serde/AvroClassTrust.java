package io.agentauditor.serde;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes Avro 1.12 willing to load the generated classes a {@link AvroSerde} decodes into.
 *
 * <p>Since the fix of CVE-2024-47561, every class that Avro loads by name from a schema (which a
 * {@code SpecificDatumReader} does for each record and enum of the reader schema) must pass {@code
 * org.apache.avro.util.ClassSecurityValidator}: a few {@code java.lang}/{@code java.math} classes,
 * plus the packages of system property {@code org.apache.avro.SERIALIZABLE_PACKAGES} and the classes
 * of {@code org.apache.avro.SERIALIZABLE_CLASSES}. Avro reads those properties once, when the
 * validator class initialises, so a property set later is ignored. Hence: set the property if unset
 * (effective when nothing used Avro's class loading yet), then check the validator actually trusts
 * the class and, if not, extend its global predicate with the package. Only the package of a class
 * our own code names is trusted, never a name taken from a writer schema.
 */
final class AvroClassTrust {

  private static final Logger LOGGER = LoggerFactory.getLogger(AvroClassTrust.class);
  static final String PACKAGES_PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";

  private AvroClassTrust() {}

  static synchronized void trustPackageOf(Class<?> type) {
    String pkg = type.getPackageName();
    String property = System.getProperty(PACKAGES_PROPERTY);
    if (property == null || property.isBlank()) {
      System.setProperty(PACKAGES_PROPERTY, pkg);
    }
    ClassSecurityPredicate global = ClassSecurityValidator.getGlobal();
    if (!global.isTrusted(type)) {
      LOGGER.info("Avro's class validator was initialised without package {}; adding it", pkg);
      String prefix = pkg + ".";
      ClassSecurityValidator.setGlobal(
          ClassSecurityValidator.composite(global, c -> c.getName().startsWith(prefix)));
    }
  }
}
