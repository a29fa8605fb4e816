// The page's markup, shared by index.html (the full playground) and embed.html (the compact embed):
// both are shells that load app.js, which inserts this before anything else runs.

export const LAYOUT = `

  <header class="top">
    <div>
      <h1>dicelab</h1>
      <p class="lede" data-part="lede">Why did my Dice loss make segmentations smaller and small classes vanish? Toggle the
        loss options and watch a tiny segmentation network train on synthetic material images, right here.</p>
    </div>
    <a id="share" class="button" href="#" data-part="share">Link to this state</a>
  </header>
  <div id="notices" role="status" aria-live="polite"></div>
  <div class="layout">
    <aside class="panel" aria-label="Options">
      <div data-part="presets">
        <h2 class="small">Presets</h2>
        <div id="presets" class="presets" role="group" aria-label="Presets"></div>
      </div>
      <div id="controls-a"></div>
      <div class="ab-toggle" data-part="ab">
        <input type="checkbox" id="ab"><label for="ab">A/B: train a second configuration beside it</label>
      </div>
      <div id="run-b" hidden>
        <h2 class="small">Run B</h2>
        <div id="controls-b"></div>
      </div>
    </aside>
    <main class="stage">
      <div class="transport" role="group" aria-label="Training">
        <button type="button" id="play" aria-pressed="false">Play</button>
        <button type="button" id="step">Step</button>
        <button type="button" id="reset">Reset</button>
        <span class="stat">step <output id="step-count">0</output></span>
        <span class="stat">loss <output id="loss-now">—</output></span>
        <span class="stat">mIoU <output id="miou">—</output></span>
        <span class="stat"><output id="steps-per-s">—</output> steps/s</span>
        <span class="stat backend" data-part="backend">backend: <output id="backend">starting…</output></span>
      </div>
      <section aria-labelledby="views-title">
        <div class="views">
          <div>
            <h2 id="views-title" class="small">Validation: input, truth, prediction A<span class="b-only">, prediction B</span></h2>
            <div id="images" class="images"></div>
          </div>
          <div data-part="gradient-view">
            <h2 class="small">Last training batch: image, labels as annotated, |∂L/∂z|</h2>
            <div class="image-row">
              <canvas id="batch-image" class="pix" role="img" aria-label="Training image"></canvas>
              <canvas id="batch-labels" class="pix" role="img" aria-label="Its labels as annotated (white: ignored)"></canvas>
              <canvas id="batch-heat" class="pix" role="img" aria-label="Magnitude of the loss gradient per pixel"></canvas>
            </div>
            <p class="note">Bright: pixels the loss pushes hardest. White labels are ignored.</p>
          </div>
        </div>
      </section>
      <section class="charts" aria-label="Curves">
        <canvas id="loss-chart" class="chart" role="img" aria-label="Training loss against step"></canvas>
        <canvas id="miou-chart" class="chart" role="img" aria-label="Validation mIoU against step"></canvas>
        <canvas id="dice-chart" class="chart" role="img" aria-label="Per-class Dice terms"></canvas>
        <canvas id="weight-chart" class="chart" role="img" aria-label="Per-class weights"></canvas>
      </section>
      <section aria-labelledby="table-title">
        <h2 id="table-title" class="small">Per class on the validation images</h2>
        <div class="table-wrap">
          <table id="class-table">
            <thead>
              <tr><th scope="col">class</th><th scope="col">pixels</th>
                <th scope="col">IoU</th><th scope="col">precision</th><th scope="col">recall</th><th scope="col">predicted</th><th scope="col"></th>
                <th scope="col" class="b-only">IoU B</th><th scope="col" class="b-only">precision B</th><th scope="col" class="b-only">recall B</th><th scope="col" class="b-only">predicted B</th><th scope="col" class="b-only"></th></tr>
            </thead>
            <tbody></tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="formula-title" data-part="formula-view">
        <h2 id="formula-title" class="small">The loss, as configured</h2>
        <div id="formula" class="formula"></div>
        <p id="formula-note" class="note"></p>
        <div class="inspector">
          <canvas id="inspector" class="chart" role="img" aria-label="Gradient of the loss with respect to one pixel's probability"></canvas>
          <label for="region">Region of <output id="region-value">4</output> pixels of the class, all predicted at p</label>
          <input type="range" id="region" min="1" max="64" value="4">
        </div>
      </section>
      <section aria-labelledby="code-title" data-part="code">
        <h2 id="code-title" class="small">Copy the implementation</h2>
        <div id="code-tabs" class="tabs" role="tablist" aria-label="Framework"></div>
        <pre class="code"><code id="code"></code></pre>
        <button type="button" id="copy-code">Copy</button> <span id="copy-status" role="status"></span>
        <details class="embed-help" data-part="embed-help">
          <summary>Embed this in a blog post</summary>
          <pre class="code"><code id="embed-snippet"></code></pre>
        </details>
      </section>
    </main>
  </div>
`;
