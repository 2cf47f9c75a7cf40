package io.agentauditor.policy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
class ScratchPrintTest {
  @Test void print() {
    try { System.out.println(PolicyBundleLoader.load(Path.of("src/test/resources/bundles/broken"))); }
    catch (PolicyLoadException e) { System.out.println(e.getMessage()); }
    try { System.out.println(PolicyBundleLoader.load(Path.of("../policies")).identity()); }
    catch (PolicyLoadException e) { System.out.println(e.getMessage()); }
  }
}
