#!/usr/bin/env python3
"""The two boolean-flag seeds this project grew from (../shared/seeds), as
Flask-SQLAlchemy applications, against tables enabled with softdelete on
their own boolean column:

- "Updating Query with Soft Delete for SQLAlchemy 1.4": Miguel Grinberg's
  QueryWithSoftDelete (filter_by(deleted=False) on every query, with_deleted()
  to see everything, deletes written as deleted = True);
- "Mastering Soft Delete": a VisibilityMixin with is_deleted (server_default
  "0") and a do_orm_execute listener adding with_loader_criteria
  (is_deleted IS false) to every SELECT, skip_filter to see everything.

Each runs twice.  "kept": the application's own soft-delete code stays in:
its filters and its deleted = True writes keep working on the adopted tables,
its answers unchanged.  "removed": that code taken out: plain
session.delete() and plain queries behave as soft delete.  The only line
about softdelete is the one that enables the tables (and, where the
application wants to see deleted rows, the setting that shows them).

    flask_seeds.py 'postgresql://user@127.0.0.1:port' (a database per run is made)
"""
import sys

import psycopg2
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.query import Query as BaseQuery
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, event, text
from sqlalchemy.orm import relationship, with_loader_criteria
from sqlalchemy.orm.exc import ObjectDeletedError

base = sys.argv[1]


def fresh_database(name):
    c = psycopg2.connect(base + "/postgres")
    c.autocommit = True
    cur = c.cursor()
    cur.execute("DROP DATABASE IF EXISTS " + name)
    cur.execute("CREATE DATABASE " + name)
    c.close()
    c = psycopg2.connect(base + "/" + name)
    c.autocommit = True
    c.cursor().execute("CREATE EXTENSION softdelete")
    c.close()
    return base + "/" + name


def grinberg(kept):
    """Miguel Grinberg's blog application: users and their posts."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = fresh_database("flask_grinberg_" + ("kept" if kept else "removed"))
    db = SQLAlchemy(app)

    class QueryWithSoftDelete(BaseQuery):
        def __new__(cls, *args, **kwargs):
            obj = super(QueryWithSoftDelete, cls).__new__(cls)
            with_deleted = kwargs.pop('_with_deleted', False)
            if len(args) > 0:
                super(QueryWithSoftDelete, obj).__init__(*args, **kwargs)
                return obj.filter_by(deleted=False) if not with_deleted else obj
            return obj

        def __init__(self, *args, **kwargs):
            pass

        def with_deleted(self):
            return self.__class__(
                db.class_mapper(self._entity_from_pre_ent_zero().class_),
                session=db.session(),
                _with_deleted=True
            )

    class User(db.Model):
        __tablename__ = "users"
        if kept:
            query_class = QueryWithSoftDelete
        id = Column(Integer, primary_key=True)
        name = Column(String(64))
        deleted = Column(Boolean(), default=False)
        posts = relationship("Post", backref="author", passive_deletes=True)

    class Post(db.Model):
        __tablename__ = "posts"
        if kept:
            query_class = QueryWithSoftDelete
        id = Column(Integer, primary_key=True)
        body = Column(String(140))
        user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
        deleted = Column(Boolean(), default=False)

    with app.app_context():
        db.create_all()
        u1, u2, u3 = User(name="susan"), User(name="john"), User(name="mary")
        db.session.add_all([u1, u2, u3])
        db.session.add_all([Post(body="p1", author=u1), Post(body="p2", author=u1),
                            Post(body="p3", author=u2), Post(body="p4", author=u3)])
        db.session.commit()
        # an old deleted row, from before softdelete
        p4 = Post.query.filter_by(body="p4").one()
        if kept:
            p4.deleted = True
        else:
            db.session.execute(text("UPDATE posts SET deleted = true WHERE body = 'p4'"))
        db.session.commit()
        # the one change: the tables enabled, on the application's own column
        db.session.execute(text("SELECT softdelete.enable('users', 'deleted'), softdelete.enable('posts', 'deleted')"))
        db.session.commit()

        assert [p.body for p in Post.query.order_by(Post.id)] == ["p1", "p2", "p3"]
        if kept:
            # the application's delete: deleted = True on the user and its
            # posts.  Once flushed, the row is gone for the session too: an
            # expired attribute of it can no longer be loaded (README, Coming
            # from an ORM), so the ids are read before
            uid = u2.id
            u2.deleted = True
            for p in Post.query.filter_by(user_id=uid):
                p.deleted = True
            db.session.commit()
            try:
                u2.name
                raise AssertionError("a flagged row could be refreshed")
            except ObjectDeletedError:
                db.session.rollback()
        else:
            # plain deletes; the database cascade follows the foreign key
            db.session.delete(User.query.filter_by(name="john").one())
            db.session.commit()
        assert [u.name for u in User.query.order_by(User.id)] == ["susan", "mary"]
        assert [p.body for p in Post.query.order_by(Post.id)] == ["p1", "p2"]
        assert sorted(p.body for p in User.query.filter_by(id=1).one().posts) == ["p1", "p2"]
        # a look-up by primary key, which skips the application's filter
        # (and so found deleted rows before softdelete)
        db.session.expunge_all()
        assert db.session.get(User, 2) is None
        assert Post.query.filter(Post.body == "p3").count() == 0
        # a join the application writes itself
        rows = db.session.query(User.name, Post.body).outerjoin(Post, Post.user_id == User.id) \
            .order_by(User.id, Post.id).all()
        assert rows == [("susan", "p1"), ("susan", "p2"), ("mary", None)], rows
        # seeing deleted rows: softdelete hides them from with_deleted() too,
        # until the session shows them
        if kept:
            assert User.query.with_deleted().count() == 2
        db.session.execute(text("SET LOCAL softdelete.include_deleted = on"))
        everyone = (User.query.with_deleted() if kept else User.query).order_by(User.id)
        assert [u.name for u in everyone] == ["susan", "john", "mary"]
        db.session.commit()
        # undelete: the application's own way, or restore
        if kept:
            db.session.execute(text("SET LOCAL softdelete.include_deleted = on"))
            john = User.query.with_deleted().filter_by(name="john").one()
            john.deleted = False
            for p in Post.query.with_deleted().filter_by(user_id=john.id):
                p.deleted = False
        else:
            db.session.execute(text("SELECT softdelete.restore('users', 'id = 2')"))
        db.session.commit()
        assert [u.name for u in User.query.order_by(User.id)] == ["susan", "john", "mary"]
        assert [p.body for p in Post.query.order_by(Post.id)] == ["p1", "p2", "p3"]
        db.session.remove()
        db.engine.dispose()
    print("flask (Grinberg's QueryWithSoftDelete, %s): deletes, queries, joins and undelete as before"
          % ("its code kept" if kept else "its code removed"))


def loader_criteria(kept):
    """The with_loader_criteria article: humans and aliens, is_deleted."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = fresh_database("flask_criteria_" + ("kept" if kept else "removed"))
    db = SQLAlchemy(app)

    class VisibilityMixin:
        is_deleted = Column(Boolean, server_default="0")

    class Planet(db.Model):
        __tablename__ = "planets"
        id = Column(Integer, primary_key=True)
        name = Column(String)

    class Human(db.Model, VisibilityMixin):
        __tablename__ = "humans"
        id = Column(Integer, primary_key=True)
        name = Column(String)
        planet_id = Column(Integer, ForeignKey("planets.id"))
        planet = relationship(Planet, backref="humans")

    class Alien(db.Model, VisibilityMixin):
        __tablename__ = "aliens"
        id = Column(Integer, primary_key=True)
        name = Column(String)
        planet_id = Column(Integer, ForeignKey("planets.id"))
        planet = relationship(Planet, backref="aliens")

    if kept:
        @event.listens_for(db.session, "do_orm_execute")
        def _add_filtering_criteria(execute_state):
            skip_filter = execute_state.execution_options.get("skip_filter", False)
            if execute_state.is_select and not skip_filter:
                execute_state.statement = execute_state.statement.options(
                    with_loader_criteria(
                        VisibilityMixin,
                        lambda cls: cls.is_deleted.is_(False),
                        include_aliases=True,
                    )
                )

    with app.app_context():
        db.create_all()
        earth, mars = Planet(name="earth"), Planet(name="mars")
        h1, h2, h3 = Human(name="ann", planet=earth), Human(name="bob", planet=earth), Human(name="cy", planet=mars)
        db.session.add_all([earth, mars, h1, h2, h3, Alien(name="zork", planet=mars), Alien(name="zap", planet=earth)])
        db.session.commit()
        db.session.execute(text("SELECT softdelete.enable('humans', 'is_deleted'), softdelete.enable('aliens', 'is_deleted')"))
        db.session.commit()
        # the mixin's server default ('0') made every row live
        assert db.session.query(Human).count() == 3

        if kept:
            bob = db.session.query(Human).filter_by(name="bob").one()
            bob.is_deleted = True
        else:
            db.session.delete(db.session.query(Human).filter_by(name="bob").one())
        db.session.commit()
        assert [h.name for h in db.session.query(Human).order_by(Human.id)] == ["ann", "cy"]
        # a right join to the table with soft delete (the outer-join seed):
        # the deleted human's planet keeps its row, NULL-extended
        rows = db.session.query(Planet.name, Human.name) \
            .select_from(Human).join(Planet, Human.planet_id == Planet.id, isouter=True, full=False) \
            .order_by(Human.id).all()
        assert rows == [("earth", "ann"), ("mars", "cy")], rows
        rows = db.session.query(Planet.name, Human.name).outerjoin(Human, Human.planet_id == Planet.id) \
            .order_by(Planet.id, Human.id).all()
        assert rows == [("earth", "ann"), ("mars", "cy")], rows
        counts = db.session.query(Planet.name, db.func.count(Human.id)) \
            .outerjoin(Human, Human.planet_id == Planet.id).group_by(Planet.name).order_by(Planet.name).all()
        assert counts == [("earth", 1), ("mars", 1)], counts
        # relationships load live rows only
        earth = db.session.query(Planet).filter_by(name="earth").one()
        assert [h.name for h in earth.humans] == ["ann"]
        assert sorted(a.name for a in earth.aliens) == ["zap"]
        # the application's "everything" endpoint: skip_filter, or the setting
        db.session.execute(text("SET LOCAL softdelete.include_deleted = on"))
        q = db.session.query(Human)
        if kept:
            q = q.execution_options(skip_filter=True)
        assert q.count() == 3
        db.session.commit()
        # its trash screen: the deleted ones only
        db.session.execute(text("SET LOCAL softdelete.include_deleted = 'only'"))
        assert [h.name for h in db.session.query(Human).execution_options(skip_filter=True)] == ["bob"]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    print("flask (with_loader_criteria, %s): deletes, outer joins, relationships and the everything view as before"
          % ("its code kept" if kept else "its code removed"))


for kept in (True, False):
    grinberg(kept)
    loader_criteria(kept)
