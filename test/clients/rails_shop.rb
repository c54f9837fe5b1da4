#!/usr/bin/env ruby
# An ActiveRecord application (Rails' ORM, as Debian packages it) against
# tables enabled with softdelete, written as its users write it: has_many
# ... dependent: :destroy, destroy, includes and left_outer_joins, and
# unscoped reads of deleted rows under softdelete.include_deleted.  Its
# deleted_at columns are Rails' own (t.datetime, paranoia's convention);
# the one line about softdelete enables the tables.  ActiveRecord uses
# server-side prepared statements: each execution follows the setting.
#
#     rails_shop.rb host port user database
require "active_record"

host, port, user, database = ARGV
ActiveRecord::Base.establish_connection(adapter: "postgresql", host: host, port: port.to_i,
                                        username: user, database: database)
ActiveRecord::Migration.verbose = false
conn = ActiveRecord::Base.connection

ActiveRecord::Schema.define do
  drop_table :line_items, if_exists: true
  drop_table :orders, if_exists: true
  drop_table :customers, if_exists: true
  create_table :customers do |t|
    t.string :name
    t.datetime :deleted_at
    t.timestamps
  end
  create_table :orders do |t|
    t.references :customer, foreign_key: true
    t.integer :total
    t.datetime :deleted_at
    t.timestamps
  end
  create_table :line_items do |t|
    t.references :order, foreign_key: true
    t.string :sku
    t.datetime :deleted_at
    t.timestamps
  end
end

class Customer < ActiveRecord::Base
  has_many :orders, dependent: :destroy
end

class Order < ActiveRecord::Base
  belongs_to :customer
  has_many :line_items, dependent: :destroy
end

class LineItem < ActiveRecord::Base
  belongs_to :order
end

def check(what, got, want)
  raise "#{what}: got #{got.inspect}, want #{want.inspect}" unless got == want
end

ann = Customer.create!(name: "ann")
bob = Customer.create!(name: "bob")
Customer.create!(name: "cy")
o1 = ann.orders.create!(total: 10)
o2 = ann.orders.create!(total: 20)
o3 = bob.orders.create!(total: 30)
o1.line_items.create!(sku: "a")
o1.line_items.create!(sku: "b")
o3.line_items.create!(sku: "c")

# the one change to the application
conn.execute("SELECT softdelete.enable('line_items'), softdelete.enable('orders'), softdelete.enable('customers')")

# destroy with dependent: :destroy: ActiveRecord deletes the line items, the
# orders, then the customer, one DELETE each; every one is a soft delete
ann.destroy
check "customers after destroy", Customer.order(:id).pluck(:name), %w[bob cy]
check "orders after destroy", Order.order(:id).pluck(:total), [30]
check "line items after destroy", LineItem.order(:id).pluck(:sku), %w[c]
check "find of a destroyed row", Customer.find_by(id: ann.id), nil
begin
  Customer.find(ann.id)
  raise "find found a destroyed row"
rescue ActiveRecord::RecordNotFound
end

# includes (eager loading, a second query or a LEFT OUTER JOIN) and
# left_outer_joins: deleted rows are neither loaded nor joined
check "includes", Customer.includes(:orders).order(:id).map { |c| [c.name, c.orders.map(&:total)] },
      [["bob", [30]], ["cy", []]]
check "includes with references (one LEFT OUTER JOIN)",
      Customer.includes(:orders).references(:orders).order("customers.id").map { |c| [c.name, c.orders.size] },
      [["bob", 1], ["cy", 0]]
check "left_outer_joins", Customer.left_outer_joins(:orders).group("customers.name").order("customers.name").count("orders.id"),
      { "bob" => 1, "cy" => 0 }
check "left_outer_joins from the child", Order.unscoped.left_outer_joins(:customer).pluck("orders.total", "customers.name"), [[30, "bob"]]

# destroy of a row deleted meanwhile (a stale object): the DELETE finds no
# live row, as if another session had deleted it; nothing changes
stale = Customer.find_by(name: "cy")
Customer.where(name: "cy").delete_all
check "destroy of a deleted row returns the object", stale.destroy.equal?(stale), true
check "destroy of a deleted row", Customer.pluck(:name), %w[bob]

# unscoped reads of deleted rows: under include_deleted they show, each
# execution of the same prepared statement following the setting
check "unscoped, setting off", Customer.unscoped.count, 1
conn.execute("SET softdelete.include_deleted = on")
check "unscoped, setting on", Customer.unscoped.order(:id).pluck(:name), %w[ann bob cy]
check "deleted_at set by the database", Customer.unscoped.where.not(deleted_at: nil).count, 2
conn.execute("SET softdelete.include_deleted = 'only'")
check "only deleted (paranoia's only_deleted)", Customer.unscoped.order(:id).pluck(:name), %w[ann cy]
conn.execute("SET softdelete.include_deleted = off")
check "setting off again", Customer.unscoped.count, 1
3.times do |i|
  conn.execute("SET softdelete.include_deleted = #{i.odd? ? 'on' : 'off'}")
  check "a prepared statement, execution #{i}", Customer.where(name: "ann").count, i.odd? ? 1 : 0
end
conn.execute("RESET softdelete.include_deleted")

# restore brings the customer and what its destroy deleted back
conn.execute("SELECT softdelete.restore('customers', 'name = ''ann''')")
conn.execute("SELECT softdelete.restore('orders', 'customer_id = #{ann.id}')")
conn.execute("SELECT softdelete.restore('line_items', 'order_id IN (#{o1.id}, #{o2.id})')")
check "restored", Customer.find(ann.id).orders.order(:id).map { |o| [o.total, o.line_items.count] },
      [[10, 2], [20, 0]]
puts "rails (ActiveRecord #{ActiveRecord::VERSION::STRING}): destroy with dependent: :destroy, includes, left_outer_joins, stale destroy, unscoped under include_deleted"
