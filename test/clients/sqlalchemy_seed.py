#!/usr/bin/env python3
"""A real client that knows nothing about soft delete: the SQLAlchemy scenario
of the question this project grew from (../shared/seeds, "Strategy for being
able to reverse a deletion using SQLAlchemy"), with its models and its
asserts, but none of its preserve_deleted machinery: plain session.delete()
and plain queries, against PostgreSQL tables enabled with softdelete.

    sqlalchemy_seed.py 'postgresql://user@/db?host=/socket/dir&port=5432'
"""
import sys

from sqlalchemy import Column, ForeignKey, Integer, String, create_engine, text
from sqlalchemy.orm import Session, declarative_base, relationship

Base = declarative_base()


class A(Base):
    __tablename__ = "a"
    id = Column(Integer, primary_key=True)
    data1 = Column(String)
    data2 = Column(String)


class B(Base):
    __tablename__ = 'b'
    id = Column(Integer, primary_key=True)
    data1 = Column(String)
    a_id = Column(Integer, ForeignKey('a.id'))
    a = relationship("A")


e = create_engine(sys.argv[1])
with e.begin() as c:
    c.execute(text("DROP TABLE IF EXISTS b, a"))
Base.metadata.create_all(e)
# the one change to the application: two tables enabled, once, in SQL
with e.begin() as c:
    c.execute(text("SELECT softdelete.enable('a'), softdelete.enable('b')"))

s = Session(e)
a1, a2, a3, a4 = \
    A(data1='a1d1', data2='a1d2'),\
    A(data1='a2d1', data2='a2d2'),\
    A(data1='a3d1', data2='a3d2'),\
    A(data1='a4d1', data2='a4d2')
b1, b2, b3, b4 = \
    B(data1='b1', a=a1),\
    B(data1='b2', a=a1),\
    B(data1='b3', a=a3),\
    B(data1='b4', a=a4)
s.add_all([a1, a2, a3, a4, b1, b2, b3, b4])
s.commit()

assert s.query(A.id).order_by(A.id).all() == [(1, ), (2, ), (3, ), (4, )]
assert s.query(B.id).order_by(B.id).all() == [(1, ), (2, ), (3, ), (4, )]

# the ORM's own deletes
s.delete(a2)
s.delete(b2)
s.delete(b3)
s.delete(a3)
s.commit()

assert s.query(A.id).order_by(A.id).all() == [(1, ), (4, )]
assert s.query(B.id).order_by(B.id).all() == [(1, ), (4, )]
# joins and relationships see only live rows too
assert s.query(B.id, A.id).outerjoin(A, B.a_id == A.id).order_by(B.id).all() == [(1, 1), (4, 4)]
assert [b.a.data1 for b in s.query(B).order_by(B.id)] == ['a1d1', 'a4d1']
assert s.get(A, 2) is None

# nothing was lost: the rows are all there for whoever asks
with e.begin() as c:
    c.execute(text("SET LOCAL softdelete.include_deleted = on"))
    assert c.execute(text("SELECT count(*), count(deleted_at) FROM a")).one() == (4, 2)
    assert c.execute(text("SELECT count(*), count(deleted_at) FROM b")).one() == (4, 2)

# the seed's restore of a2, b3 and a3, with softdelete.restore (parents first:
# a row whose parent is still deleted cannot come back)
with e.begin() as c:
    assert c.execute(text("SELECT softdelete.restore('a', 'id IN (2, 3)')")).scalar() == 2
    assert c.execute(text("SELECT softdelete.restore('b', 'id = 3')")).scalar() == 1
s.expire_all()

assert s.query(A.id).order_by(A.id).all() == [(1, ), (2, ), (3, ), (4, )]
assert s.query(B.id).order_by(B.id).all() == [(1, ), (3, ), (4, )]
assert s.get(B, 3).a.data1 == 'a3d1'

# a new B for a deleted A is refused, as for a missing one
s.delete(a4)
s.delete(b4)
s.commit()
s.add(B(id=10, data1='b10', a_id=4))
try:
    s.commit()
    raise AssertionError('a B referencing a deleted A was accepted')
except Exception as err:  # IntegrityError, from the foreign key
    assert 'foreign key' in str(err), err
    s.rollback()
print("sqlalchemy: the seed's scenario passes unchanged against enabled tables")
