"""An intent classifier for the Rasa pipeline: TF-IDF over character n-grams (within word
boundaries) and word n-grams, with a multinomial logistic regression (scikit-learn).

On our held-out split it classifies intents markedly better than DIET on count vectors
(see the README), trains in seconds, and gives calibrated-enough confidences for the
bot's clarify threshold. DIET stays in the pipeline for entities.

The model is stored without pickle: vocabularies as JSON, weights as `.npy` files.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)
_WORD_PATTERN = r"(?u)\b\w+\b"


def _vectorizers(config: Dict[Text, Any]) -> List[TfidfVectorizer]:
    return [
        TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]),
                        sublinear_tf=True, lowercase=True, dtype=np.float64),
        TfidfVectorizer(analyzer="word", ngram_range=tuple(config["word_ngrams"]),
                        sublinear_tf=True, lowercase=True, token_pattern=_WORD_PATTERN,
                        dtype=np.float64),
    ]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfIntentClassifier(GraphComponent, IntentClassifier):
    """TF-IDF + logistic regression intent classifier."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 30.0, "char_ngrams": [2, 5], "word_ngrams": [1, 2], "max_iter": 3000,
                "ranking_length": 10}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._vectorizers: List[TfidfVectorizer] = []
        self._classes: List[Text] = []
        self._coef: Optional[np.ndarray] = None
        self._intercept: Optional[np.ndarray] = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TfidfIntentClassifier":
        return cls(config, model_storage, resource)

    def _features(self, texts: List[Text]) -> Any:
        return hstack([vectorizer.transform(texts) for vectorizer in self._vectorizers]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        texts = [e.get(TEXT) for e in examples]
        labels = [e.get(INTENT) for e in examples]
        self._vectorizers = _vectorizers(self.config)
        features = hstack([v.fit_transform(texts) for v in self._vectorizers]).tocsr()
        model = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"])
        model.fit(features, labels)
        self._classes = [str(c) for c in model.classes_]
        self._coef, self._intercept = model.coef_, model.intercept_
        self.persist()
        return self._resource

    def _probabilities(self, texts: List[Text]) -> np.ndarray:
        scores = self._features(texts) @ self._coef.T + self._intercept
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._coef is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            probabilities = self._probabilities([text])[0]
            ranking = sorted(
                ({"name": name, "confidence": float(p)}
                 for name, p in zip(self._classes, probabilities)),
                key=lambda item: -item["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: self.config["ranking_length"]],
                        add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as folder:
            meta = {"classes": self._classes,
                    "vocabularies": [{k: int(v) for k, v in vec.vocabulary_.items()}
                                     for vec in self._vectorizers]}
            (Path(folder) / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            for index, vectorizer in enumerate(self._vectorizers):
                np.save(Path(folder) / f"idf{index}.npy", vectorizer.idf_)
            np.save(Path(folder) / "coef.npy", self._coef)
            np.save(Path(folder) / "intercept.npy", self._intercept)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TfidfIntentClassifier":
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as folder:
                meta = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))
                vectorizers = _vectorizers(component.config)
                for index, (vectorizer, vocabulary) in enumerate(
                        zip(vectorizers, meta["vocabularies"])):
                    vectorizer.vocabulary = vocabulary
                    vectorizer.vocabulary_ = vocabulary
                    vectorizer.fixed_vocabulary_ = True
                    vectorizer.idf_ = np.load(Path(folder) / f"idf{index}.npy",
                                              allow_pickle=False)
                component._vectorizers = vectorizers
                component._classes = meta["classes"]
                component._coef = np.load(Path(folder) / "coef.npy", allow_pickle=False)
                component._intercept = np.load(Path(folder) / "intercept.npy",
                                               allow_pickle=False)
        except (ValueError, FileNotFoundError):
            logger.debug("TfidfIntentClassifier has no trained model in %s", resource.name)
        return component
