"""The model is retrained only when training inputs change; knowledge-base edits are not one of them."""
from bot.nlp import pipeline
from bot.ops.training import inputs_hash, model_path, training_inputs


def test_knowledge_base_edit_does_not_change_the_training_key(settings, kb, kb_copy):
    from bot.services import knowledge

    target = settings.path(settings.spacy_dir)
    pipeline.save(kb, target)
    before = inputs_hash(training_inputs(settings))

    halls = kb_copy / "halls.yml"
    halls.write_text(halls.read_text().replace("Andingmen", "Andingmen Gate", 1))
    pipeline.save(knowledge.check(kb_copy), target)

    assert pipeline.saved_checksum(target) != kb.checksum  # the patterns did change
    assert inputs_hash(training_inputs(settings)) == before


def test_training_data_edit_changes_the_key(settings, kb, tmp_path):
    pipeline.save(kb, settings.path(settings.spacy_dir))
    files = training_inputs(settings)
    key = inputs_hash(files)
    assert any(p.name == "config.yml" for p in files) and any(p.parent.name == "nlu" for p in files)
    assert model_path(settings, key).name == f"etown-{key[:16]}.tar.gz"
    assert not any("policies_kb" in str(p) for p in files)


def test_saving_is_atomic_and_replaces_the_old_pipeline(settings, kb):
    target = settings.path(settings.spacy_dir)
    pipeline.save(kb, target)
    pipeline.save(kb, target)
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
