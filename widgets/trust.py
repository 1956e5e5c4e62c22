"""TrustLab: the ipywidgets + plotly view over the trust engine.

One ``go.FigureWidget`` (``lab.fig``) with six subplots, updated in place
inside ``fig.batch_update()`` (and reused when the notebook cell is run
again: see :func:`widgets.figures.figure_widget`): on the left, over rounds, the stakes offered
(with a 5-95% band across runs), the cumulative payoff and the trust belief;
on the right, the tournament, the evolution over generations, and the
population at the generation chosen by the slider / Play control.

``lab.figure`` is a plain ``go.Figure`` copy for static export, and
``lab.describe()`` a text description of what is shown.
"""

from __future__ import annotations

import html
from contextlib import contextmanager

import ipywidgets as ipw
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from course.trust import classic, stakes
from course.trust.core import check_int, check_real, check_seed, percentiles, resolve_name
from course.trust.presets import PRESETS
from course.trust.stepsizes import evolve_step_sizes
from course.trust.tournament import (
    EVOLUTION_OF_TRUST_NOISE,
    EVOLUTION_OF_TRUST_SANDBOX,
    STAKES_POPULATION,
    evolve,
    tournament,
)

from .figures import figure_widget

__all__ = ["TrustLab"]

CUSTOM = "custom"
MAX_ROUNDS = 1000
MAX_RUNS = 5000
MAX_STRATEGY_LINES = 9
PCT = (5, 95)
SIDE_COLOR = {"a": "#1f6fb4", "b": "#c0392b"}
SIDE_FILL = {"a": "rgba(31,111,180,0.18)", "b": "rgba(192,57,43,0.18)"}
PALETTE = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
POPULATIONS = {
    "classic": {
        "Evolution of Trust sandbox (25 agents)": EVOLUTION_OF_TRUST_SANDBOX,
        "Evolution of Trust noise slides (13 always-cheat)": EVOLUTION_OF_TRUST_NOISE,
    },
    "stakes": {"stakes mix (25 agents)": STAKES_POPULATION},
}
SHORT = {stakes.GRIT: "small steps (GRIT)", stakes.BIG_BANG: "big-bang"}
TOURNAMENT_REPETITIONS = 20
# Trace indices in lab.fig.data
SERIES = (
    ("stake", "Stakes offered (= exposure)"),
    ("cum_payoff", "Cumulative payoff"),
    ("trust", "Trust: belief the partner reciprocates"),
)


def _idx(row: int, side: str, part: str) -> int:
    """Index of a left-column trace: part is 'upper', 'lower' or 'mean'."""
    return row * 6 + (0 if side == "a" else 3) + ("upper", "lower", "mean").index(part)


TOURNAMENT_TRACE = 18
EVOLUTION_LINES = range(19, 19 + MAX_STRATEGY_LINES)
GENERATION_TRACE = 19 + MAX_STRATEGY_LINES


def subplot_grid():
    """The lab's empty six-subplot grid: the series over rounds on the left, the tournament, the
    evolution and the population on the right."""
    return make_subplots(
        rows=3,
        cols=2,
        column_widths=[0.58, 0.42],
        horizontal_spacing=0.2,
        vertical_spacing=0.09,
        subplot_titles=(
            SERIES[0][1],
            "Tournament: mean payoff per round",
            SERIES[1][1],
            "Evolution: agents per strategy, by generation",
            SERIES[2][1],
            "Population at generation 0",
        ),
    )


class TrustLab(ipw.VBox):
    """Interactive trust lab over :mod:`course.trust`.

    Controls are attributes (``lab.strategy_a``, ``lab.strategy_b``,
    ``lab.noise``, ``lab.provocation``, ``lab.renege``, ``lab.step_a``,
    ``lab.step_b``, ``lab.multiplier``, ``lab.max_stake``, ``lab.threshold``,
    ``lab.rounds``, ``lab.runs``, ``lab.seed``, ``lab.resample``,
    ``lab.preset``; for the tournament and evolution ``lab.mode``,
    ``lab.population``, ``lab.match_rounds``, ``lab.eliminate``,
    ``lab.generations``, ``lab.tournament_button``, ``lab.evolve_button``,
    ``lab.generation``, ``lab.play``). Changing one updates ``lab.fig`` in
    place. Bad constructor arguments raise ``ValueError`` naming the
    parameter and its allowed range.

    ``panels="all"`` (the default) shows the classic cooperate/defect
    tournament and evolution beside the graduated-stakes game (as in
    ``widgets/examples/trustlab_demo.ipynb``). ``panels="stakes"`` (lesson
    06) keeps only the graduated-stakes game: the second tab evolves the
    raise-the-stakes step sizes (:func:`course.trust.evolve_step_sizes`),
    and the tournament and population charts are hidden.
    """

    def __init__(
        self,
        preset: str | None = None,
        *,
        strategy_a: str = stakes.GRIT,
        strategy_b: str = "reciprocator",
        noise: float = 0.02,
        provocation: float = 0.1,
        renege: float = 0.2,
        a: float = 1.0,
        b: float = 0.5,
        k: float = 2.0,
        max_stake: float = 10.0,
        threshold: float = 10.0,
        rounds: int = 50,
        runs: int = 200,
        seed: int = 0,
        mode: str = "classic",
        match_rounds: int = 10,
        eliminate: int = 5,
        generations: int = 50,
        panels: str = "all",
    ):
        # --- validate everything first, with the engine's messages ----------
        sa = stakes.stakes_strategy(strategy_a, "strategy_a").name
        sb = stakes.stakes_strategy(strategy_b, "strategy_b").name
        if sa not in stakes.STRATEGIES or sb not in stakes.STRATEGIES:
            raise ValueError("TrustLab strategies must be built-in names: " + ", ".join(stakes.STRATEGIES))
        stakes.make_params(
            noise=noise,
            provocation=provocation,
            renege=renege,
            a=a,
            b=b,
            k=k,
            max_stake=max_stake,
            threshold=threshold,
        )
        check_real("noise", noise, ge=0, le=0.5)
        check_real("step a", a, ge=0.1, le=5)
        check_real("step b", b, ge=0, le=5)
        check_real("multiplier k", k, gt=1, le=5)
        check_real("max_stake", max_stake, ge=1, le=50)
        check_real("threshold", threshold, ge=0, le=200)
        rounds = check_int("rounds", rounds, minimum=1, maximum=MAX_ROUNDS)
        runs = check_int("runs", runs, minimum=1, maximum=MAX_RUNS)
        seed = check_seed(seed)
        if seed is None:
            raise ValueError("seed must be a whole number >= 0; got None")
        mode = resolve_name(
            "mode", mode, ["classic", "stakes"], {"pd": "classic", "prisoners_dilemma": "classic"}
        )
        match_rounds = check_int("match_rounds", match_rounds, minimum=1, maximum=200)
        eliminate = check_int("eliminate", eliminate, minimum=1, maximum=10)
        generations = check_int("generations", generations, minimum=1, maximum=500)
        if preset is not None:
            preset = resolve_name("preset", preset, list(PRESETS) + [CUSTOM], {})
        self.panels = resolve_name("panels", panels, ["all", "stakes"], {"classic": "all"})

        self._holding = False
        self._result = None
        self._comparisons = {}
        self._tournament = None
        self._evolution = None
        self._step_sizes = None
        self._stale = {"tournament": False, "evolution": False}
        style = {"description_width": "initial"}
        wide = ipw.Layout(width="330px")

        def fslider(desc, value, lo, hi, step, tip):
            return ipw.FloatSlider(
                value=value,
                min=lo,
                max=hi,
                step=step,
                description=desc,
                tooltip=tip,
                continuous_update=False,
                readout_format=".2f",
                style=style,
                layout=wide,
            )

        def islider(desc, value, lo, hi, tip):
            return ipw.IntSlider(
                value=value,
                min=lo,
                max=hi,
                description=desc,
                tooltip=tip,
                continuous_update=False,
                style=style,
                layout=wide,
            )

        # --- simulation controls -------------------------------------------
        self.preset = ipw.Dropdown(
            options=[CUSTOM] + list(PRESETS),
            value=CUSTOM,
            description="Preset",
            style=style,
            layout=ipw.Layout(width="420px"),
        )
        self.preset_doc = ipw.HTML()
        opts = [(stakes.LABELS[n], n) for n in stakes.STRATEGIES]
        self.strategy_a = ipw.Dropdown(
            options=opts,
            value=sa,
            description="Side A strategy",
            style=style,
            layout=ipw.Layout(width="420px"),
        )
        self.strategy_b = ipw.Dropdown(
            options=opts,
            value=sb,
            description="Partner B strategy",
            style=style,
            layout=ipw.Layout(width="420px"),
        )
        self.noise = fslider(
            "Noise ε (stake lost)", noise, 0.0, 0.5, 0.01, "probability a move is lost/flipped"
        )
        self.provocation = fslider(
            "Provocation δ",
            provocation,
            0.0,
            1.0,
            0.01,
            "provocateur: probability of giving nothing each round",
        )
        self.renege = fslider(
            "Reneging r",
            renege,
            0.0,
            1.0,
            0.01,
            "unreliable partner: probability of reneging once its gains pass the threshold",
        )
        self.threshold = fslider(
            "Renege after gains of",
            threshold,
            0.0,
            200.0,
            1.0,
            "cumulative gain after which the unreliable partner may renege",
        )
        self.step_a = fslider("First step a", a, 0.1, 5.0, 0.1, "GRIT's opening stake")
        self.step_b = fslider("Raise b", b, 0.0, 5.0, 0.1, "GRIT raises by b when matched, 2b when out-given")
        self.multiplier = fslider(
            "Multiplier k", k, 1.05, 5.0, 0.05, "a stake y costs y and gives the partner k*y"
        )
        self.max_stake = fslider("Max stake (big-bang)", max_stake, 1.0, 50.0, 0.5, "the largest stake")
        self.rounds = islider("Rounds", rounds, 1, MAX_ROUNDS, "rounds per match")
        self.runs = islider("Runs", runs, 1, MAX_RUNS, "Monte-Carlo runs")
        self.seed = ipw.BoundedIntText(
            value=seed,
            min=0,
            max=2**31 - 1,
            description="Seed",
            style=style,
            layout=ipw.Layout(width="200px"),
        )
        self.resample = ipw.Button(
            description="New seed", tooltip="draw a new seed (seed + 1) and rerun", icon="refresh"
        )
        self.summary = ipw.HTML()

        # --- tournament / evolution controls --------------------------------
        self.mode = ipw.ToggleButtons(
            options=[("classic dilemma", "classic"), ("graduated stakes", "stakes")],
            value=mode,
            description="Game",
            style=style,
        )
        self.population = ipw.Dropdown(
            options=list(POPULATIONS[mode]),
            description="Population",
            style=style,
            layout=ipw.Layout(width="420px"),
        )
        self.match_rounds = islider(
            "Rounds per match", match_rounds, 1, 200, "rounds per match in the tournament and the evolution"
        )
        self.eliminate = islider(
            "Eliminate / clone per generation",
            eliminate,
            1,
            10,
            "the worst N are removed and the best N cloned each generation",
        )
        self.generations = islider("Generations", generations, 1, 500, "generations to simulate")
        self.tournament_button = ipw.Button(
            description="Run tournament",
            icon="trophy",
            tooltip="round robin of the game's strategies at the current settings",
        )
        self.evolve_button = ipw.Button(
            description="Run evolution",
            icon="play-circle",
            tooltip="evolve the population at the current settings",
        )
        self.step_sizes_button = ipw.Button(
            description="Evolve step sizes",
            icon="line-chart",
            tooltip="raise-the-stakes players (a, b) mutating under selection "
            "(Killingback & Doebeli 1999): plot mean a and b",
        )
        self.generation = ipw.IntSlider(
            value=0, min=0, max=generations, description="Generation", style=style, layout=wide
        )
        self.play = ipw.Play(
            value=0,
            min=0,
            max=generations,
            step=1,
            interval=350,
            description="Play the evolution",
            tooltip="animate the evolution by generation",
        )
        self._link = ipw.link((self.play, "value"), (self.generation, "value"))
        self.status = ipw.HTML()

        # --- the one figure --------------------------------------------------
        self.fig = self._make_figure()
        self.text_view = ipw.HTML()
        text_box = ipw.Accordion(children=[self.text_view])
        text_box.set_title(0, "Text description of the figures")
        text_box.selected_index = None

        sim_box = ipw.VBox(
            [
                ipw.HBox([self.preset]),
                self.preset_doc,
                ipw.HBox(
                    [
                        ipw.VBox(
                            [
                                self.strategy_a,
                                self.strategy_b,
                                self.noise,
                                self.provocation,
                                self.renege,
                                self.threshold,
                            ]
                        ),
                        ipw.VBox(
                            [
                                self.step_a,
                                self.step_b,
                                self.multiplier,
                                self.max_stake,
                                self.rounds,
                                self.runs,
                                ipw.HBox([self.seed, self.resample]),
                            ]
                        ),
                    ]
                ),
            ]
        )
        if self.panels == "stakes":
            evo_box = ipw.VBox(
                [
                    ipw.HBox(
                        [ipw.VBox([self.match_rounds, self.generations]), ipw.VBox([self.step_sizes_button])]
                    ),
                    self.status,
                ]
            )
        else:
            evo_box = ipw.VBox(
                [
                    self.mode,
                    self.population,
                    ipw.HBox(
                        [
                            ipw.VBox([self.match_rounds, self.eliminate, self.generations]),
                            ipw.VBox(
                                [
                                    ipw.HBox(
                                        [self.tournament_button, self.evolve_button, self.step_sizes_button]
                                    ),
                                    ipw.HBox([self.play, self.generation]),
                                ]
                            ),
                        ]
                    ),
                    self.status,
                ]
            )
        tabs = ipw.Tab(children=[sim_box, evo_box])
        tabs.set_title(0, "Simulation")
        tabs.set_title(1, "Evolution" if self.panels == "all" else "Evolution of step sizes")
        super().__init__([tabs, self.summary, self.fig, text_box])
        # stable hooks for styling and for the browser tests
        self.add_class("trust-lab")
        for w, name in (
            (self.summary, "summary"),
            (self.noise, "noise"),
            (self.strategy_a, "strategy-a"),
            (self.strategy_b, "strategy-b"),
            (self.preset, "preset"),
            (self.fig, "figure"),
        ):
            w.add_class(f"trust-lab-{name}")

        # --- wiring -----------------------------------------------------------
        for w in (
            self.strategy_a,
            self.strategy_b,
            self.noise,
            self.provocation,
            self.renege,
            self.threshold,
            self.step_a,
            self.step_b,
            self.multiplier,
            self.max_stake,
            self.rounds,
            self.runs,
            self.seed,
        ):
            w.observe(self._on_sim_change, names="value")
        self.preset.observe(self._on_preset, names="value")
        self.resample.on_click(self._on_resample)
        self.mode.observe(self._on_mode, names="value")
        for w in (self.population, self.match_rounds, self.eliminate, self.generations):
            w.observe(self._on_evo_settings, names="value")
        self.tournament_button.on_click(lambda _b: self.run_tournament())
        self.evolve_button.on_click(lambda _b: self.run_evolution())
        self.step_sizes_button.on_click(lambda _b: self.run_step_sizes())
        self.generation.observe(lambda _c: self._draw_generation(), names="value")

        if preset is not None and preset != CUSTOM:
            self.apply_preset(preset)  # runs update()
        else:
            self.update()
        if self.panels == "stakes":
            self._hide_classic_panels()
            self.run_step_sizes()
        else:
            self.run_tournament()
            self.run_evolution()

    # ------------------------------------------------------------------ API
    @property
    def result(self) -> stakes.StakesResult:
        """The :class:`~course.trust.stakes.StakesResult` currently shown."""
        return self._result

    @property
    def tournament_result(self):
        return self._tournament

    @property
    def evolution_result(self):
        return self._evolution

    @property
    def figure(self) -> go.Figure:
        """A static ``go.Figure`` copy of what is shown (for nbconvert/HTML export)."""
        return go.Figure(self.fig)

    def params(self) -> stakes.StakesParams:
        """The stakes-game parameters set by the controls."""
        return stakes.make_params(
            k=self.multiplier.value,
            a=self.step_a.value,
            b=self.step_b.value,
            max_stake=max(self.max_stake.value, self.step_a.value),
            noise=self.noise.value,
            provocation=self.provocation.value,
            renege=self.renege.value,
            threshold=self.threshold.value,
        )

    def apply_preset(self, name: str) -> None:
        """Set the controls to a named preset (see ``course.trust.PRESETS``) and rerun."""
        name = resolve_name("preset", name, list(PRESETS) + [CUSTOM], {})
        if self.preset.value != name:
            self.preset.value = name  # the observer applies it
        else:
            self._apply(name)

    @contextmanager
    def hold(self):
        """Change several controls with a single update at the end."""
        was = self._holding
        self._holding = True
        try:
            yield self
        finally:
            self._holding = was
        if not was:
            self.update()

    def update(self) -> None:
        """Simulate at the current settings and redraw the left-hand plots in place."""
        p = self.params()
        a, b = self.strategy_a.value, self.strategy_b.value
        kw = dict(rounds=self.rounds.value, runs=self.runs.value, seed=self.seed.value, params=p)
        res = stakes.simulate(a, b, **kw)
        compare = {a: res}
        for ref in (stakes.GRIT, stakes.BIG_BANG):
            if ref not in compare:
                compare[ref] = stakes.simulate(ref, b, **kw)
        self._result, self._comparisons = res, compare
        self._draw_simulation()
        self.summary.value = html.escape(self.summary_text())
        self._stale = {"tournament": self._tournament is not None, "evolution": self._evolution is not None}
        self._refresh_status()
        self.text_view.value = "<pre style='white-space:pre-wrap'>" + html.escape(self.describe()) + "</pre>"

    def summary_text(self) -> str:
        res = self._result
        order = [res.strategy_a] + [s for s in (stakes.GRIT, stakes.BIG_BANG) if s != res.strategy_a]
        parts = []
        for name in order:
            r = self._comparisons[name]
            parts.append(
                f"{SHORT.get(name, stakes.LABELS[name])}: mean total payoff {r.total_payoff('a').mean():.1f}, "
                f"mean worst single-round loss {r.worst_loss('a').mean():.2f}"
            )
        return (
            f"Against {stakes.LABELS[res.strategy_b]} ({res.rounds} rounds; means over {res.runs} runs, "
            f"seed {res.seed}): " + "; ".join(parts) + "."
        )

    def run_tournament(self) -> None:
        """Round robin of the selected game's strategies at the current settings; redraw."""
        mode = self.mode.value
        kw = {"noise": self.noise.value}
        if mode == "stakes":
            kw["params"] = self.params()
            kw.pop("noise")
        self._tournament = tournament(
            None,
            game=mode,
            rounds=self.match_rounds.value,
            repetitions=TOURNAMENT_REPETITIONS,
            seed=self.seed.value,
            **kw,
        )
        t = self._tournament
        order = np.argsort(t.totals, kind="stable")
        with self.fig.batch_update():
            tr = self.fig.data[TOURNAMENT_TRACE]
            tr.x = t.totals[order]
            tr.y = [t.names[i] for i in order]
            tr.marker.color = [self._color(t.names[i]) for i in order]
            self.fig.layout.annotations[1].text = f"Tournament ({mode}): mean payoff per round"
        self._stale["tournament"] = False
        self._refresh_status()
        self.text_view.value = "<pre style='white-space:pre-wrap'>" + html.escape(self.describe()) + "</pre>"

    def run_evolution(self) -> None:
        """Evolve the selected population at the current settings; redraw and rewind to generation 0."""
        mode = self.mode.value
        pop = POPULATIONS[mode][self.population.value]
        kw = {"noise": self.noise.value}
        if mode == "stakes":
            kw = {"params": self.params()}
        n_agents = sum(pop.values())
        elim = min(self.eliminate.value, n_agents // 2)
        ev = evolve(
            pop,
            game=mode,
            rounds=self.match_rounds.value,
            eliminate=elim,
            generations=self.generations.value,
            seed=self.seed.value,
            **kw,
        )
        self._evolution = ev
        gens = np.arange(ev.generations + 1)
        with self.fig.batch_update():
            for j, i in enumerate(EVOLUTION_LINES):
                tr = self.fig.data[i]
                if j < len(ev.names):
                    tr.update(
                        x=gens,
                        y=ev.counts[:, j],
                        name=ev.names[j],
                        visible=True,
                        line={"color": self._color(ev.names[j])},
                    )
                else:
                    tr.update(x=[], y=[], name="", visible=False)
            self.fig.layout.xaxis4.range = [0, max(1, ev.generations)]
            self.fig.layout.yaxis4.range = [0, sum(pop.values())]
            self.fig.layout.yaxis6.range = [0, sum(pop.values())]
            self.fig.layout.annotations[3].text = "Evolution: agents per strategy, by generation"
        self.play.max = ev.generations
        self.generation.max = ev.generations
        if self.generation.value != 0:
            self.generation.value = 0  # observer redraws
        else:
            self._draw_generation()
        self._stale["evolution"] = False
        self._refresh_status()

    @property
    def step_sizes_result(self):
        return self._step_sizes

    def run_step_sizes(self, **kw) -> None:
        """Evolve raise-the-stakes step sizes (see :func:`course.trust.evolve_step_sizes`) with the lab's
        multiplier, match length (moves per side) and generations, and plot mean a and b over generations
        in the evolution chart (Run evolution puts the strategy counts back)."""
        kw = {
            "k": self.multiplier.value,
            "rounds": self.match_rounds.value,
            "generations": self.generations.value,
            "seed": self.seed.value,
            **kw,
        }
        ss = evolve_step_sizes(**kw)
        self._step_sizes = ss
        gens = np.arange(ss.generations + 1)
        lines = list(EVOLUTION_LINES)
        with self.fig.batch_update():
            for j, i in enumerate(lines):
                tr = self.fig.data[i]
                if j < 2:
                    y, name, colour = (
                        (ss.mean_a, "mean opening a", PALETTE[0])
                        if j == 0
                        else (ss.mean_b, "mean raise b", PALETTE[1])
                    )
                    tr.update(x=gens, y=y, name=name, visible=True, line={"color": colour})
                else:
                    tr.update(x=[], y=[], name="", visible=False)
            self.fig.layout.xaxis4.range = [0, max(1, ss.generations)]
            self.fig.layout.yaxis4.range = [
                0,
                1.05 * max(float(ss.a.mean(axis=1).max()), float(ss.b.mean(axis=1).max()), 1e-9),
            ]
            self.fig.layout.annotations[3].text = "Evolution of step sizes: mean a and b, by generation"
        self.text_view.value = "<pre style='white-space:pre-wrap'>" + html.escape(self.describe()) + "</pre>"

    def describe(self) -> str:
        """A plain-text description of everything the figure shows."""
        res, p = self._result, self._result.params
        lines = [
            f"Trust lab, graduated-stakes game: {res.rounds} rounds x {res.runs} runs, seed {res.seed}.",
            f"Side A plays {stakes.LABELS[res.strategy_a]}; partner B plays {stakes.LABELS[res.strategy_b]}.",
            f"Side A's design: {res.design_a}."
            if res.design_a
            else "Side A's design: not a design-space strategy.",
            f"Parameters: noise ε={p.noise:.2f}, provocation δ={p.provocation:.2f}, reneging r={p.renege:.2f} "
            f"(after gains of {p.threshold:g}), first step a={p.a:g}, raise b={p.b:g}, multiplier k={p.k:g}, "
            f"max stake {p.max_stake:g}.",
        ]
        if self.preset.value != CUSTOM:
            lines.append(f"Preset '{self.preset.value}': {PRESETS[self.preset.value]['doc']}")
        for label, a_name, b_name in (
            ("Stakes offered in the last round", "stake_a", "stake_b"),
            (f"Cumulative payoff after {res.rounds} rounds", "cum_payoff_a", "cum_payoff_b"),
            ("Trust (belief the partner reciprocates) in the last round", "trust_a", "trust_b"),
        ):
            fa, fb = getattr(res, a_name)[:, -1], getattr(res, b_name)[:, -1]
            (la, ha), (lb, hb) = percentiles(fa, PCT), percentiles(fb, PCT)
            lines.append(
                f"{label}: A mean {fa.mean():.2f} (5-95%: {la:.2f} to {ha:.2f}); "
                f"B mean {fb.mean():.2f} (5-95%: {lb:.2f} to {hb:.2f})."
            )
        wa, wb = res.worst_loss("a"), res.worst_loss("b")
        lines.append(
            f"Mean worst single-round loss over {res.runs} runs: A {wa.mean():.2f}, B {wb.mean():.2f} "
            f"(largest in any run: A {wa.max():.2f}, B {wb.max():.2f})."
            f" Reservoir of goodwill (sum of reciprocated stakes): mean {res.reservoir[:, -1].mean():.1f}."
        )
        lines.append("Summary: " + self.summary_text())
        t = self._tournament
        if t is not None:
            ranked = ", ".join(f"{i + 1}. {n} {s:.2f}" for i, (n, s) in enumerate(t.table()))
            stale = " (settings changed since; press Run tournament)" if self._stale["tournament"] else ""
            lines.append(
                f"Tournament ({t.game} game, {t.rounds} rounds x {t.repetitions} repetitions, "
                f"noise {t.noise:.2f}){stale}: {ranked}."
            )
        if self._step_sizes is not None:
            lines.append(self._step_sizes.describe())
        ev = self._evolution
        if ev is not None:
            g = min(self.generation.value, ev.generations)
            pop = ", ".join(f"{n} {c}" for n, c in ev.population(g).items() if c)
            fix = f", took over at generation {ev.fixation}" if ev.fixation is not None else ""
            stale = " (settings changed since; press Run evolution)" if self._stale["evolution"] else ""
            lines.append(
                f"Evolution ({ev.game} game, {self.population.value}, eliminate/clone {ev.eliminate}, "
                f"noise {ev.noise:.2f}){stale}: generation {g} of {ev.generations}: {pop}. "
                f"Most numerous at the end: {ev.winner}{fix}."
            )
        return "\n".join(lines)

    def _hide_classic_panels(self):
        """panels="stakes": no tournament or population chart (their subplots are hidden, untitled)."""
        with self.fig.batch_update():
            for axis in ("xaxis2", "yaxis2", "xaxis6", "yaxis6"):
                self.fig.layout[axis].visible = False
            self.fig.layout.annotations[1].text = ""
            self.fig.layout.annotations[5].text = ""
            self.fig.layout.shapes = ()

    # ------------------------------------------------------------ callbacks
    def _on_sim_change(self, change):
        if self._holding:
            return
        if self.preset.value != CUSTOM and not self._matches_preset(self.preset.value):
            self._holding = True
            try:
                self.preset.value = CUSTOM
                self.preset_doc.value = ""
            finally:
                self._holding = False
        self.update()

    def _on_preset(self, change):
        if self._holding:
            return
        self._apply(change["new"])

    def _apply(self, name):
        if name == CUSTOM:
            self.preset_doc.value = ""
            return
        cfg = PRESETS[name]
        with self.hold():
            for key, widget in (
                ("strategy_a", self.strategy_a),
                ("strategy_b", self.strategy_b),
                ("noise", self.noise),
                ("provocation", self.provocation),
                ("renege", self.renege),
            ):
                widget.value = cfg[key]
            self.preset_doc.value = f"<i>{html.escape(cfg['doc'])}</i>"

    def _matches_preset(self, name) -> bool:
        cfg = PRESETS[name]
        return all(
            getattr(self, key).value == cfg[key]
            for key in ("strategy_a", "strategy_b", "noise", "provocation", "renege")
        )

    def _on_resample(self, _button):
        self.seed.value = (self.seed.value + 1) % (2**31 - 1)  # the seed observer reruns

    def _on_mode(self, change):
        with self._hold_evo():
            self.population.options = list(POPULATIONS[change["new"]])
        self.run_tournament()
        self.run_evolution()

    @contextmanager
    def _hold_evo(self):
        self._evo_hold = True
        try:
            yield
        finally:
            self._evo_hold = False

    def _on_evo_settings(self, change):
        if getattr(self, "_evo_hold", False):
            return
        if self.panels == "stakes":
            self.run_step_sizes()
            return
        self.run_tournament()
        self.run_evolution()

    def _refresh_status(self):
        stale = [k for k, v in self._stale.items() if v]
        if stale:
            self.status.value = (
                "<i>Settings changed since the " + " and ".join(stale) + " were computed: "
                "press <b>Run tournament</b> / <b>Run evolution</b> to recompute.</i>"
            )
        else:
            self.status.value = ""

    # -------------------------------------------------------------- drawing
    @staticmethod
    def _color(name: str) -> str:
        names = list(classic.STRATEGIES) + list(stakes.STRATEGIES)
        return PALETTE[names.index(name) % len(PALETTE)] if name in names else "#555555"

    def _make_figure(self) -> go.FigureWidget:
        fig = subplot_grid()
        traces = []
        for row, (_key, _title) in enumerate(SERIES):
            for side in "ab":
                common = dict(xaxis=f"x{2 * row + 1}", yaxis=f"y{2 * row + 1}", legendgroup=side)
                traces.append(
                    go.Scatter(
                        x=[],
                        y=[],
                        mode="lines",
                        line={"width": 0},
                        showlegend=False,
                        hoverinfo="skip",
                        name=f"{side.upper()} 95th percentile",
                        **common,
                    )
                )
                traces.append(
                    go.Scatter(
                        x=[],
                        y=[],
                        mode="lines",
                        line={"width": 0},
                        fill="tonexty",
                        fillcolor=SIDE_FILL[side],
                        showlegend=False,
                        hoverinfo="skip",
                        name=f"{side.upper()} 5th percentile",
                        **common,
                    )
                )
                traces.append(
                    go.Scatter(
                        x=[],
                        y=[],
                        mode="lines",
                        line={"color": SIDE_COLOR[side], "width": 2},
                        name=f"side {side.upper()}",
                        showlegend=(row == 0),
                        **common,
                    )
                )
        traces.append(
            go.Bar(
                x=[],
                y=[],
                orientation="h",
                xaxis="x2",
                yaxis="y2",
                showlegend=False,
                name="tournament",
                hovertemplate="%{y}: %{x:.2f}<extra></extra>",
            )
        )
        for _ in EVOLUTION_LINES:
            traces.append(
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    xaxis="x4",
                    yaxis="y4",
                    showlegend=True,
                    legend="legend2",
                    visible=False,
                    hovertemplate="%{fullData.name}: %{y}<extra></extra>",
                )
            )
        traces.append(go.Bar(x=[], y=[], xaxis="x6", yaxis="y6", showlegend=False, name="population"))
        fig.add_traces(traces)
        fig.update_layout(
            height=860,
            margin={"l": 60, "r": 20, "t": 110, "b": 40},
            template="plotly_white",
            title={"text": "Trust lab: small steps vs. a comprehensive deal", "x": 0.01, "y": 0.985},
            legend={"orientation": "h", "y": 1.075, "x": 0.0, "xanchor": "left", "yanchor": "bottom"},
            # the evolution chart's own legend: strategies, beside the chart (inside the right column)
            legend2={
                "title": {"text": "strategy"},
                "x": 1.0,
                "xanchor": "right",
                "y": 0.64,
                "yanchor": "top",
                "bgcolor": "rgba(255,255,255,0.75)",
                "font": {"size": 10},
            },
            shapes=[
                {
                    "type": "line",
                    "xref": "x4",
                    "yref": "y4 domain",
                    "x0": 0,
                    "x1": 0,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#444", "dash": "dot", "width": 1},
                }
            ],
        )
        for row in (1, 2, 3):
            fig.update_xaxes(title_text="round" if row == 3 else None, row=row, col=1)
        fig.update_yaxes(range=[0, 1], row=3, col=1)
        fig.update_yaxes(automargin=True, row=1, col=2)
        fig.update_annotations(font_size=13)  # subplot titles: keep them inside their narrow columns
        return figure_widget(fig)  # re-running the cell reuses its FigureWidget: no second 5 MB bundle

    def _draw_simulation(self):
        res = self._result
        x = np.arange(1, res.rounds + 1)
        # (6, rounds, runs), contiguous along runs: fast percentiles across runs.
        stack = np.stack(
            [
                res.stake_a.T,
                res.stake_b.T,
                res.cum_payoff_a.T,
                res.cum_payoff_b.T,
                res.trust_a.T,
                res.trust_b.T,
            ]
        )
        lo, hi = percentiles(stack, PCT, axis=2)
        mean = stack.mean(axis=2)
        # x (the rounds) changes only with the number of rounds: setting it again costs plotly a
        # validation per trace and changes nothing
        first = self.fig.data[_idx(0, "a", "upper")].x
        same_x = first is not None and len(first) == res.rounds and np.array_equal(first, x)
        with self.fig.batch_update():
            for row in range(3):
                for s, side in enumerate("ab"):
                    j = 2 * row + s
                    up, low, mid = (
                        self.fig.data[_idx(row, side, part)] for part in ("upper", "lower", "mean")
                    )
                    if not same_x:
                        up.x, low.x, mid.x = x, x, x
                    up.y, low.y, mid.y = hi[j], lo[j], mean[j]
            self.fig.data[_idx(0, "a", "mean")].name = f"A: {res.strategy_a} (mean, 5-95% band)"
            self.fig.data[_idx(0, "b", "mean")].name = f"B: {res.strategy_b} (mean, 5-95% band)"

    def _draw_generation(self):
        ev = self._evolution
        if ev is None:
            return
        g = min(self.generation.value, ev.generations)
        with self.fig.batch_update():
            bar = self.fig.data[GENERATION_TRACE]
            bar.x = list(ev.names)
            bar.y = ev.counts[g]
            bar.marker.color = [self._color(n) for n in ev.names]
            self.fig.layout.shapes[0].x0 = g
            self.fig.layout.shapes[0].x1 = g
            self.fig.layout.annotations[5].text = f"Population at generation {g}"
        self.text_view.value = "<pre style='white-space:pre-wrap'>" + html.escape(self.describe()) + "</pre>"
