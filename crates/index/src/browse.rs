//! Reading around a hit: a passage by id with its neighbours, similar passages in other
//! submissions, facet values, and the guiding question x category matrix.

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::collector::{DocSetCollector, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, OwnedValue};
use tantivy::{DocAddress, Searcher, Term};

use crate::nearest::MeaningFilter;
use crate::run::Run;
use crate::search::{PassageVersion, Versions};
use crate::vectors::VectorQuery;
use crate::writer::{PassageIndex, PassageRecord};
use crate::{Result, SearchRequest};

/// A passage and the vector stored for it.
pub type WithVector = (PassageRecord, Vec<f32>);

/// One cell of the coverage matrix.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixCell {
    /// Passages tagged with the question, from the category.
    pub passages: u64,
    /// Distinct submissions with at least one such passage.
    pub submissions: u64,
}

/// Guiding question x stakeholder category counts for a search.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Matrix {
    /// `cells[question][category]`; questions as strings ("7"), "0" for untagged passages.
    pub cells: BTreeMap<String, BTreeMap<String, MatrixCell>>,
}

impl PassageIndex {
    fn term(&self, field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    fn visible(
        &self,
        inner: Box<dyn Query>,
        include_confidential: bool,
        versions: Versions,
    ) -> Box<dyn Query> {
        let request = SearchRequest {
            include_confidential,
            ..Default::default()
        };
        self.filtered_as(inner, &request, versions)
    }

    fn first(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
    ) -> Result<Option<(DocAddress, PassageRecord)>> {
        let top = searcher
            .run(query, &TopDocs::with_limit(1).order_by_score())
            .map_err(|source| self.err(source))?;
        match top.first() {
            Some((_, address)) => Ok(Some((*address, self.record(searcher, *address)?))),
            None => Ok(None),
        }
    }

    /// The passage with this id, if the caller may see it (also one a later version
    /// repeats from its first version: reading a file shows all of it).
    pub fn passage(&self, id: &str, include_confidential: bool) -> Result<Option<PassageRecord>> {
        let searcher = self.reader.searcher();
        let query = self.visible(
            self.term(self.fields.passage_id, id),
            include_confidential,
            Versions::All,
        );
        Ok(self.first(&searcher, &*query)?.map(|(_, r)| r))
    }

    /// Every passage of a submission file in order, if the caller may see it, those it
    /// repeats from its first version included.
    pub fn submission_passages(
        &self,
        submission_id: &str,
        include_confidential: bool,
    ) -> Result<Vec<PassageRecord>> {
        let searcher = self.reader.searcher();
        let query = self.visible(
            self.term(self.fields.submission_id, submission_id),
            include_confidential,
            Versions::All,
        );
        let addresses = searcher
            .run(&query, &DocSetCollector)
            .map_err(|source| self.err(source))?;
        let mut records = addresses
            .into_iter()
            .map(|a| self.record(&searcher, a))
            .collect::<Result<Vec<_>>>()?;
        records.sort_by_key(|r| r.passage.ordinal);
        Ok(records)
    }

    /// Passages like this one in other submissions, best first: not from its own
    /// submission's other files (versions, annexes), and each repeated passage once. They
    /// are the passages closest to it in meaning, in any language (with their cosine
    /// similarity); a passage with nothing the model knows falls back on shared words.
    pub fn similar(
        &self,
        id: &str,
        limit: usize,
        include_confidential: bool,
    ) -> Result<Vec<(f32, PassageRecord)>> {
        let searcher = self.reader.searcher();
        let query = self.visible(
            self.term(self.fields.passage_id, id),
            include_confidential,
            Versions::All,
        );
        let Some((address, record)) = self.first(&searcher, &*query)? else {
            return Ok(Vec::new());
        };
        let limit = limit.min(crate::MAX_LIMIT);
        let elsewhere = |inner: Box<dyn Query>| -> Box<dyn Query> {
            let query: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                (Occur::Must, inner),
                (
                    Occur::MustNot,
                    self.term(self.fields.submission_id, &record.submission.id),
                ),
                (
                    Occur::MustNot,
                    self.term(self.fields.submission_key, record.submission.key()),
                ),
            ]));
            self.visible(query, include_confidential, Versions::Folded)
        };
        let reader = searcher.segment_reader(address.segment_ord);
        let vectors = self.segment_vectors(reader)?;
        if let Some(meaning) = vectors
            .vector(address.doc_id)
            .and_then(VectorQuery::from_stored)
        {
            // What a search with no filter allows, less the passage's own submission.
            let everything = SearchRequest {
                include_confidential,
                ..Default::default()
            };
            let filter = MeaningFilter {
                except: Some(Box::new(BooleanQuery::new(vec![
                    (
                        Occur::Should,
                        self.term(self.fields.submission_id, &record.submission.id),
                    ),
                    (
                        Occur::Should,
                        self.term(self.fields.submission_key, record.submission.key()),
                    ),
                ]))),
                ..self.meaning_filter_of(&everything, &[], &[], "[]|[]")
            };
            let near = self.nearest(&searcher, &filter, &meaning, limit)?;
            return near
                .into_iter()
                .map(|(score, a)| Ok((score, self.record(&searcher, a)?)))
                .collect();
        }
        let code = crate::schema::language_field_code(record.passage.language.as_deref());
        let mut fields = vec![(
            self.fields.exact,
            vec![OwnedValue::Str(record.passage.text.clone())],
        )];
        if let Some(field) = self.fields.text_field(code) {
            fields.push((field, vec![OwnedValue::Str(record.passage.text.clone())]));
        }
        let mlt = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_min_term_frequency(1)
            .with_max_query_terms(30)
            .with_min_word_length(3)
            .with_document_fields(fields);
        let query = elsewhere(Box::new(mlt));
        let top = searcher
            .run(&*query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(|source| self.err(source))?;
        top.into_iter()
            .map(|(score, a)| Ok((score, self.record(&searcher, a)?)))
            .collect()
    }

    /// For each of these passage ids, the passages that repeat it in later versions of
    /// its submission the caller may see, in file and passage order.
    pub(crate) fn versions_of(
        &self,
        searcher: &Searcher,
        ids: &[&str],
        include_confidential: bool,
    ) -> Result<BTreeMap<String, Vec<PassageVersion>>> {
        let mut found: BTreeMap<String, Vec<PassageVersion>> = BTreeMap::new();
        if ids.is_empty() {
            return Ok(found);
        }
        // Only segments holding a later version are searched: in the others each of the
        // ids' terms would open an empty dictionary of its own (tantivy keeps none).
        let duplicate_of = self.fields.duplicate_of;
        let versioned = self
            .query_cache
            .versioned(searcher.generation().generation_id(), || {
                searcher
                    .segment_readers()
                    .iter()
                    .filter(|r| {
                        r.inverted_index(duplicate_of)
                            .is_ok_and(|index| index.terms().num_terms() > 0)
                    })
                    .map(|r| r.segment_id())
                    .collect()
            });
        if versioned.is_empty() {
            return Ok(found);
        }
        let any: Vec<(Occur, Box<dyn Query>)> = ids
            .iter()
            .map(|id| (Occur::Should, self.term(duplicate_of, id)))
            .collect();
        let query = crate::run::InSegments::new(
            self.visible(
                Box::new(BooleanQuery::new(any)),
                include_confidential,
                Versions::All,
            ),
            versioned,
        );
        let addresses = searcher
            .run(&query, &DocSetCollector)
            .map_err(|source| self.err(source))?;
        let mut records = addresses
            .into_iter()
            .map(|a| self.record(searcher, a))
            .collect::<Result<Vec<_>>>()?;
        records.sort_by(|a, b| {
            (&a.submission.id, a.passage.ordinal).cmp(&(&b.submission.id, b.passage.ordinal))
        });
        for record in records {
            if let Some(first) = record.passage.duplicate_of.clone() {
                found
                    .entry(first)
                    .or_default()
                    .push(PassageVersion::of(record));
            }
        }
        Ok(found)
    }

    /// Every value of a facet with its passage count, for the passages a search matches
    /// (in a hybrid search, those its words match and those its vector brought in).
    pub fn facet_values(
        &self,
        facet: &str,
        request: &SearchRequest,
    ) -> Result<Option<BTreeMap<String, u64>>> {
        if self.fields.facet(facet).is_none() {
            return Ok(None);
        }
        let searcher = self.reader.searcher();
        let query = self.matched(&searcher, request)?;
        let mut collector = FacetCollector::for_field(facet);
        collector.add_facet(Facet::root());
        let counts = searcher
            .run(&*query, &collector)
            .map_err(|source| self.err(source))?;
        Ok(Some(
            counts
                .get(Facet::root())
                .filter_map(|(f, n)| f.to_path().last().map(|v| (v.to_string(), n)))
                .collect(),
        ))
    }

    /// Guiding question x category counts of the passages (and submissions) a search matches
    /// (in a hybrid search, those its words match and those its vector brought in).
    pub fn matrix(&self, request: &SearchRequest) -> Result<Matrix> {
        let searcher = self.reader.searcher();
        let query = self.matched(&searcher, request)?;
        // Counted on column ordinals per segment; no stored passage is opened.
        let cells = searcher
            .run(&*query, &crate::matrix::MatrixCollector)
            .map_err(|source| self.err(source))?;
        let mut matrix = Matrix::default();
        for ((question, category), (count, submissions)) in cells {
            matrix.cells.entry(question).or_default().insert(
                category,
                MatrixCell {
                    passages: count,
                    submissions: submissions.len() as u64,
                },
            );
        }
        Ok(matrix)
    }

    /// Every passage a search matches (not just a page), in submission and passage order:
    /// in a hybrid search, those its words match and those its vector brought in.
    pub fn all_hits(&self, request: &SearchRequest) -> Result<Vec<PassageRecord>> {
        Ok(self
            .all_hits_up_to(request, usize::MAX)?
            .unwrap_or_default())
    }

    /// [`PassageIndex::all_hits`] when they are at most `max`; otherwise how many they are,
    /// found before any passage is read.
    pub fn all_hits_up_to(
        &self,
        request: &SearchRequest,
        max: usize,
    ) -> Result<std::result::Result<Vec<PassageRecord>, usize>> {
        Ok(self
            .hits_with(request, max, |_, _| Ok(()))?
            .map(|hits| hits.into_iter().map(|(record, ())| record).collect()))
    }

    /// [`PassageIndex::all_hits_up_to`], each passage with the vector stored for it, of unit
    /// length (empty where it has none): what its text would embed to, without embedding it
    /// again.
    pub fn all_hits_with_vectors_up_to(
        &self,
        request: &SearchRequest,
        max: usize,
    ) -> Result<std::result::Result<Vec<WithVector>, usize>> {
        self.hits_with(request, max, |searcher, address| {
            let vectors = self.segment_vectors(searcher.segment_reader(address.segment_ord))?;
            let mut vector: Vec<f32> =
                crate::vectors::dequantize(vectors.vector(address.doc_id).unwrap_or_default())
                    .collect();
            cfi_embed::normalize(&mut vector);
            Ok(vector)
        })
    }

    /// The passages a search matches with what `with` gives for each, when they are at most
    /// `max` (else how many they are), in submission and passage order.
    fn hits_with<T>(
        &self,
        request: &SearchRequest,
        max: usize,
        with: impl Fn(&tantivy::Searcher, tantivy::DocAddress) -> Result<T>,
    ) -> Result<std::result::Result<Vec<(PassageRecord, T)>, usize>> {
        let searcher = self.reader.searcher();
        let query = self.matched(&searcher, request)?;
        let addresses = searcher
            .run(&*query, &DocSetCollector)
            .map_err(|source| self.err(source))?;
        if addresses.len() > max {
            return Ok(Err(addresses.len()));
        }
        let mut hits = addresses
            .into_iter()
            // Read past the cache of passages shown: an export would only flush it.
            .map(|a| Ok((self.read_record(&searcher, a)?, with(&searcher, a)?)))
            .collect::<Result<Vec<_>>>()?;
        hits.sort_by(|(a, _), (b, _)| {
            (&a.submission.call, &a.submission.id, a.passage.ordinal).cmp(&(
                &b.submission.call,
                &b.submission.id,
                b.passage.ordinal,
            ))
        });
        Ok(Ok(hits))
    }
}
