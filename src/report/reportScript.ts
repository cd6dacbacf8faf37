/** The report's one inline script: reads the embedded JSON and drives the threshold slider. Constant, so hashable. */
import { CONFUSION_FROM_SWEEP_JS } from './sweepConfusion.ts';
import { REPORT_FORMAT_JS } from './reportFormat.ts';

/** Id of the `<script type="application/json">` block the inline script reads. */
export const REPORT_DATA_ID = 'report-data';

/**
 * Plain ES2015 with no eval and no inline handlers: listeners are attached here. It recomputes the confusion
 * matrix from `classifier.sweep` at the slider value and moves the markers on the threshold, ROC and PR charts.
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  ${CONFUSION_FROM_SWEEP_JS}
  ${REPORT_FORMAT_JS}
  var source = document.getElementById('${REPORT_DATA_ID}');
  if (!source) return;
  var report = JSON.parse(source.textContent || 'null');
  var c = report && report.classifier;
  var slider = document.getElementById('threshold-slider');
  if (!c || !slider) return;
  var frame = c.frame;
  function sx(v) { return Math.round((frame.left + v * (frame.right - frame.left)) * 10) / 10; }
  function sy(v) { return Math.round((frame.bottom + v * (frame.top - frame.bottom)) * 10) / 10; }
  function show(testId, value, text) {
    var el = document.querySelector('[data-testid="' + testId + '"]');
    if (!el) return;
    el.setAttribute('data-value', String(value));
    el.textContent = text;
  }
  function move(id, attrs) {
    var el = document.getElementById(id);
    if (!el) return;
    for (var name in attrs) el.setAttribute(name, String(attrs[name]));
  }
  function update() {
    var m = confusionFromSweep(c.sweep, Number(slider.value));
    show('report-threshold', m.threshold, m.threshold.toFixed(3));
    show('report-tp', m.tp, formatCount(m.tp));
    show('report-fp', m.fp, formatCount(m.fp));
    show('report-tn', m.tn, formatCount(m.tn));
    show('report-fn', m.fn, formatCount(m.fn));
    show('report-precision', m.precision, formatMetric(m.precision));
    show('report-recall', m.recall, formatMetric(m.recall));
    show('report-f1', m.f1, formatMetric(m.f1));
    show('report-accuracy', m.accuracy, formatMetric(m.accuracy));
    show('report-predicted-positive-rate', m.predictedPositiveRate, formatMetric(m.predictedPositiveRate));
    slider.setAttribute('aria-valuetext', 'threshold ' + m.threshold.toFixed(3));
    move('marker-threshold', { x1: sx(m.threshold), x2: sx(m.threshold) });
    var fpr = c.sweep.negatives > 0 ? m.fp / c.sweep.negatives : 0;
    move('marker-roc', { cx: sx(fpr), cy: sy(m.recall) });
    move('marker-pr', { cx: sx(m.recall), cy: sy(m.precision) });
  }
  slider.addEventListener('input', update);
  slider.addEventListener('change', update);
  var reset = document.getElementById('threshold-reset');
  if (reset) {
    reset.addEventListener('click', function () {
      slider.value = c.threshold.toFixed(3);
      update();
      slider.focus();
    });
  }
  update();
})();
`;
