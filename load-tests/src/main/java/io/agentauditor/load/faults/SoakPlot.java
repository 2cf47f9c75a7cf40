package io.agentauditor.load.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The soak's samples as an SVG: four panels over event time (days), one line per column plotted. */
final class SoakPlot {

  private static final int W = 900;
  private static final int PANEL_H = 170;
  private static final int LEFT = 70;
  private static final int TOP = 30;

  /** Columns of a sample, as {@link Soak} writes them to {@code soak.csv}. */
  static final int COLUMNS = 14;

  private SoakPlot() {}

  /**
   * Plots a {@code soak.csv} again: {@code SoakPlot CSV [rocksdbBytes=67108864]} writes the SVG
   * beside it ({@code soak.svg} for {@code soak.csv}). A value that is {@code NaN}, or a column
   * an older file lacks, is not plotted.
   */
  public static void main(String[] args) throws IOException {
    Path csv = Path.of(args[0]);
    double bound = (args.length > 1 ? Long.parseLong(args[1].replace("rocksdbBytes=", "")) : 64L << 20) / 1048576.0;
    List<double[]> samples = new ArrayList<>();
    List<String> lines = Files.readAllLines(csv);
    for (String line : lines.subList(1, lines.size())) {
      double[] values = Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray();
      double[] sample = Arrays.copyOf(values, COLUMNS);
      Arrays.fill(sample, values.length, COLUMNS, Double.NaN);
      samples.add(sample);
    }
    String name = csv.getFileName().toString().replaceAll("\\.csv$", "") + ".svg";
    Files.writeString(csv.resolveSibling(name), svg(samples, bound));
  }

  private static final String[] COLORS = {"#1f5fa8", "#2e8b3a", "#d07a10", "#a03070"};

  static String svg(List<double[]> samples, double rocksdbBoundMib) {
    String[] titles = {
      "./auditor run (MiB): RSS (blue), committed as the JVM counts it (green), heap's RSS (orange), heap after last GC (purple)",
      "RocksDB (MiB): block cache usage, memtables charged to it included (blue), memtables (green); bound dashed",
      "store on disk (MiB)", "store keys"};
    int[][] columns = {{4, 11, 13, 10}, {5, 6}, {7}, {8}};
    StringBuilder svg = new StringBuilder();
    int height = TOP + titles.length * (PANEL_H + 40) + 20;
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n",
        W, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    double maxX = samples.stream().mapToDouble(s -> s[3]).max().orElse(1);
    maxX = maxX <= 0 ? 1 : maxX;
    for (int p = 0; p < titles.length; p++) {
      int y0 = TOP + p * (PANEL_H + 40);
      double maxY = 0;
      for (double[] s : samples) {
        for (int c : columns[p]) {
          maxY = Double.isNaN(s[c]) ? maxY : Math.max(maxY, s[c]);
        }
      }
      if (p == 1) {
        maxY = Math.max(maxY, rocksdbBoundMib);
      }
      maxY = maxY <= 0 ? 1 : maxY * 1.1;
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
          LEFT, y0 - 8, titles[p]));
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
          LEFT, y0, W - LEFT - 20, PANEL_H));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>%n",
          LEFT - 4, y0 + 10, maxY));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>%n",
          LEFT - 4, y0 + PANEL_H));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.1f days of event time</text>%n",
          W - 20, y0 + PANEL_H + 14, maxX));
      for (int line = 0; line < columns[p].length; line++) {
        int c = columns[p][line];
        StringBuilder points = new StringBuilder();
        for (double[] s : samples) {
          if (Double.isNaN(s[c])) {
            continue;
          }
          points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(s[3], maxX), y0 + PANEL_H - s[c] / maxY * PANEL_H));
        }
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n",
            COLORS[line], points.toString().trim()));
      }
      if (p == 1) {
        double y = y0 + PANEL_H - rocksdbBoundMib / maxY * PANEL_H;
        svg.append(String.format(Locale.ROOT,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c03030\" stroke-dasharray=\"6,4\"/>%n",
            LEFT, y, W - 20, y));
      }
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static double x(double days, double maxX) {
    return LEFT + days / maxX * (W - LEFT - 20);
  }
}
