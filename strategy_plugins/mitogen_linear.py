# The mitogen strategy from the pinned `mitogen` package, found through the
# venv's site-packages rather than a path in ansible.cfg: ansible's linear
# strategy, but modules run in a persistent interpreter instead of a fresh
# Python per task (boto3 is imported once, not once per task).
import ansible_mitogen.loaders
import ansible_mitogen.strategy

Base = ansible_mitogen.loaders.strategy_loader.get("linear", class_only=True)


class StrategyModule(ansible_mitogen.strategy.StrategyMixin, Base):
    pass
